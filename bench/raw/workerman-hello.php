<?php
// Workerman's own hello world and text, frame and json echoes, for comparison (`WORKERMAN_SRC=/path/to/workerman/src PORT=8081 TEXT_PORT=8082 FRAME_PORT=8083 JSON_PORT=8084 COUNT=1 php workerman-hello.php start`).
// Needs only php-cli and a checkout of github.com/walkor/workerman (no composer: this file autoloads its src/).
spl_autoload_register(function (string $class): void {
    if (str_starts_with($class, 'Workerman\\')) {
        $file = getenv('WORKERMAN_SRC') . '/' . str_replace('\\', '/', substr($class, 10)) . '.php';
        if (is_file($file)) require $file;
    }
});
use Workerman\Worker;
use Workerman\Protocols\Http\Response;
$count = (int) (getenv('COUNT') ?: 1);
// Each group is named after the bench's kind: its process title ("WorkerMan: worker process  text text://...") tells
// bench/lib/workerman.ts which children serve which port.
$worker = new Worker('http://127.0.0.1:' . getenv('PORT'));
$worker->name = 'http';
$worker->count = $count;
$worker->reusePort = true;
$worker->onMessage = function ($connection, $request) {
    $connection->send(new Response(200, ['Content-Type' => 'text/plain'], 'Hello World'));
};
// The echoes bench/app/echo.ts is measured against, each through Workerman's own protocol: one message a line
// (Text), a length-prefixed frame (Frame), and a JSON value a line (Text with json_decode/json_encode, as a json://
// handler sees a decoded value and sends one to be encoded).
$echoes = [
    'text' => ['TEXT_PORT', fn ($connection, $line) => $connection->send($line)],
    'frame' => ['FRAME_PORT', fn ($connection, $body) => $connection->send($body)],
    'json' => ['JSON_PORT', fn ($connection, $line) => $connection->send(json_encode(json_decode($line, true), JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE))],
];
foreach ($echoes as $name => [$portVariable, $onMessage]) {
    if (!getenv($portVariable)) continue;
    $scheme = $name === 'frame' ? 'frame' : 'text';
    $echo = new Worker("$scheme://127.0.0.1:" . getenv($portVariable));
    $echo->name = $name;
    $echo->count = $count;
    $echo->reusePort = true;
    $echo->onMessage = $onMessage;
}
Worker::$logFile = '/dev/null';
Worker::$pidFile = sys_get_temp_dir() . '/wm-bench-' . getenv('PORT') . '.pid';
Worker::runAll();
