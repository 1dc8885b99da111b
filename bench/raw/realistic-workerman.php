<?php
// Workerman's side of the realistic HTTP handler (bench/app/realistic-app.ts): a plain PHP router with the same three routes
// (`WORKERMAN_SRC=/path/to/workerman/src PORT=8081 COUNT=1 php realistic-workerman.php start`).
spl_autoload_register(function (string $class): void {
    if (str_starts_with($class, 'Workerman\\')) {
        $file = getenv('WORKERMAN_SRC') . '/' . str_replace('\\', '/', substr($class, 10)) . '.php';
        if (is_file($file)) require $file;
    }
});
use Workerman\Worker;
use Workerman\Protocols\Http\Request;
use Workerman\Protocols\Http\Response;

function json(int $status, array $body): Response
{
    return new Response($status, ['Content-Type' => 'application/json'], json_encode($body));
}

function order(Request $request): Response
{
    $order = json_decode($request->rawBody(), true);
    $valid = is_array($order) && is_string($order['customer'] ?? null) && is_array($order['lines'] ?? null);
    $total = 0;
    foreach ($valid ? $order['lines'] : [] as $line) {
        if (!is_numeric($line['qty'] ?? null) || !is_numeric($line['price'] ?? null)) $valid = false;
        else $total += $line['qty'] * $line['price'];
    }
    if (!$valid) return json(400, ['error' => 'expected { customer, lines: [{ sku, qty, price }] }']);
    return json(201, ['customer' => $order['customer'], 'items' => count($order['lines']), 'total' => $total]);
}

/** The same three routes in the same order as the Hono router: the measured one is the third. */
function route(Request $request): Response
{
    $method = $request->method();
    $path = $request->path();
    if ($method === 'GET' && $path === '/health') return new Response(200, ['Content-Type' => 'text/plain'], 'ok');
    if ($method === 'GET' && preg_match('#^/users/([^/]+)$#', $path, $m)) return json(200, ['id' => $m[1], 'name' => 'Ada']);
    if ($method === 'POST' && $path === '/orders') return order($request);
    return new Response(404, ['Content-Type' => 'text/plain'], '404 Not Found');
}

$worker = new Worker('http://127.0.0.1:' . getenv('PORT'));
$worker->count = (int) (getenv('COUNT') ?: 1);
$worker->reusePort = true;
$worker->onMessage = function ($connection, Request $request) {
    $connection->send(route($request));
};
Worker::$logFile = '/dev/null';
Worker::$pidFile = sys_get_temp_dir() . '/wm-bench-realistic-' . getenv('PORT') . '.pid';
Worker::runAll();
