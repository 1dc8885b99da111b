<?php
// Workerman's own hello world and text:// echo, for comparison (`WORKERMAN_SRC=/path/to/workerman/src PORT=8081 TEXT_PORT=8082 COUNT=1 php workerman-hello.php start`).
// Needs only php-cli and a checkout of github.com/walkor/workerman (no composer: this file autoloads its src/).
spl_autoload_register(function (string $class): void {
    if (str_starts_with($class, 'Workerman\\')) {
        $file = getenv('WORKERMAN_SRC') . '/' . str_replace('\\', '/', substr($class, 10)) . '.php';
        if (is_file($file)) require $file;
    }
});
use Workerman\Worker;
use Workerman\Protocols\Http\Response;
$worker = new Worker('http://127.0.0.1:' . getenv('PORT'));
$worker->count = (int) (getenv('COUNT') ?: 1);
$worker->reusePort = true;
$worker->onMessage = function ($connection, $request) {
    $connection->send(new Response(200, ['Content-Type' => 'text/plain'], 'Hello World'));
};
// The text:// echo bench/app/echo.ts is measured against: Workerman's own Text protocol, one line a message.
if (getenv('TEXT_PORT')) {
    $text = new Worker('text://127.0.0.1:' . getenv('TEXT_PORT'));
    $text->name = 'text';
    $text->count = (int) (getenv('COUNT') ?: 1);
    $text->reusePort = true;
    $text->onMessage = function ($connection, $line) {
        $connection->send($line);
    };
}
Worker::$logFile = '/dev/null';
Worker::$pidFile = sys_get_temp_dir() . '/wm-bench-' . getenv('PORT') . '.pid';
Worker::runAll();
