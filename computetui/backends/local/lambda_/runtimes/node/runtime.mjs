// computetui's Node.js runtime client for locally emulated AWS Lambda functions.
// Run as `node runtime.mjs` (Node 18+, no npm dependencies) in an execution
// environment, it loads the function named by _HANDLER from LAMBDA_TASK_ROOT and
// speaks the Lambda Runtime API 2018-06-01 at http://$AWS_LAMBDA_RUNTIME_API:
// GET /runtime/invocation/next, run the handler, POST .../response or .../error,
// repeat. A failed init is posted to /runtime/init/error, then exit status 1.
//
// It aims to behave like AWS's nodejs18.x-22.x runtimes (text log format):
// - console.* writes `<ISO time>\t<request id>\t<LEVEL>\t<message>`, with any
//   newline in the message turned into '\r' so one call stays one log event.
// - _HANDLER "dir/app.a.b" loads dir/app (extensionless, .js, .mjs, .cjs, then
//   Node's own resolution) and calls its export a.b. CommonJS is loaded with
//   require() and ES modules with import(), as AWS does.
// - Async handlers: the settled promise is the result. Callback handlers: an
//   error is posted at once; a result waits for the event loop to empty unless
//   context.callbackWaitsForEmptyEventLoop is false. The first outcome wins. If
//   the loop empties with no outcome at all, the result is null.
// - A thrown non-Error value v is reported as errorType `typeof v`, errorMessage
//   String(v), empty trace; a thrown null/undefined as the string "handled".
// - An uncaught exception (unhandled rejection) fails the invocation (init: exit 1),
//   then the process exits 129 (128). The runtime's own reports go to stderr.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import util from 'node:util';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const env = process.env;
const SELF = fileURLToPath(import.meta.url);
const { hostname: HOST, port: PORT } = new URL(`http://${env.AWS_LAMBDA_RUNTIME_API ?? '127.0.0.1:9001'}`);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

let requestId; // shown in log lines; `undefined` until the first event arrives
let activeId = null; // the invocation not yet answered
let phase = 'init';

function logLine(level, args) {
  const text = `${new Date().toISOString()}\t${requestId}\t${level}\t${util.format(...args)}`;
  return text.replace(/\n/g, '\r') + '\n'; // one write per call: lines never interleave
}
for (const [method, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'],
  ['debug', 'DEBUG'], ['trace', 'TRACE'], ['fatal', 'FATAL']]) {
  console[method] = (...args) => { process.stdout.write(logLine(level, args)); };
}
const runtimeLog = (...args) => { process.stderr.write(logLine('ERROR', args)); };

const note = (message) => process.stderr.write(`computetui node runtime: ${message}\n`);
const die = (message) => { note(message); process.exit(1); };

const isErrorLike = (e) => util.types.isNativeError(e) || e instanceof Error
  || (e !== null && typeof e === 'object' && typeof e.name === 'string' && typeof e.message === 'string');

// The body the Runtime API expects for /error and /init/error.
function errorPayload(err) {
  if (err === undefined || err === null) err = 'handled';
  try {
    if (isErrorLike(err)) {
      const stack = typeof err.stack === 'string' ? err.stack : `${err.name}: ${err.message}`;
      return { errorType: String(err.name), errorMessage: String(err.message), trace: stack.split('\n') };
    }
    return { errorType: typeof err, errorMessage: String(err), trace: [] };
  } catch {
    return { errorType: 'handled', errorMessage: 'the error value could not be read', trace: [] };
  }
}

// A runtime-defined error (Runtime.ImportModuleError, ...) with our own frames.
function runtimeError(errorType, errorMessage) {
  const frames = (new Error().stack ?? '').split('\n').filter((l) => l.startsWith('    at '));
  return { errorType, errorMessage, trace: [...`${errorType}: ${errorMessage}`.split('\n'), ...frames] };
}

// e.g. `<time>\t<id>\tERROR\tInvoke Error \t{"errorType":...,"errorMessage":...,"stack":[...]}`
function logError(label, { errorType, errorMessage, trace }, err) {
  const shown = { errorType, errorMessage, stack: trace };
  let json;
  try { json = JSON.stringify({ ...shown, ...(isErrorLike(err) ? err : {}) }); } // plus fields like `code`
  catch { json = JSON.stringify(shown); }
  runtimeLog(label, `\t${json}`);
}

function request(method, urlPath, body, headers = {}, retried = false) {
  return new Promise((resolve, reject) => {
    if (body !== undefined) {
      headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers };
    }
    const req = http.request({ host: HOST, port: PORT, method, path: `/2018-06-01/runtime${urlPath}`, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('socket', (socket) => socket.setNoDelay(true));
    req.on('error', (e) => {
      // A kept-alive socket the server had already closed: try once on a fresh one.
      if (req.reusedSocket && e.code === 'ECONNRESET' && !retried) request(method, urlPath, body, headers, true).then(resolve, reject);
      else reject(e);
    });
    req.end(body);
  });
}

// One Runtime API call. A refused connection or a 5xx means the environment is
// gone: exit 1. A 4xx (e.g. 403 on a second answer, 413 too large) is survived.
async function call(method, urlPath, body, headers) {
  const what = `${method} ${urlPath}`;
  const res = await request(method, urlPath, body, headers).catch((e) => die(`${what} failed: ${e.message}`));
  if (res.status >= 500) die(`${what}: HTTP ${res.status} ${res.body}`);
  if (res.status >= 400) note(`${what}: HTTP ${res.status} ${res.body}`);
  return res;
}
const post = (urlPath, body, headers) => call('POST', urlPath, body, headers);

function postError(urlPath, payload) {
  // Header values must be plain printable ASCII; the body keeps the full name.
  const type = payload.errorType.replace(/[^\x20-\x7e]/g, '');
  return post(urlPath, JSON.stringify(payload), { 'Lambda-Runtime-Function-Error-Type': type });
}

async function nextEvent() {
  for (;;) {
    const res = await call('GET', '/invocation/next');
    if (res.status === 200) return res;
    await new Promise((r) => setTimeout(r, 100)); // a 4xx: ask again shortly
  }
}

async function initFailed(payload, err) {
  logError('Uncaught Exception', payload, err);
  await postError('/init/error', payload);
  process.exit(1);
}

// Node's rule: the nearest package.json says whether a .js file is an ES module.
function packageTypeIsModule(dir) {
  const file = path.join(dir, 'package.json');
  if (fs.existsSync(file)) {
    try { return JSON.parse(fs.readFileSync(file, 'utf8')).type === 'module'; } catch { return false; }
  }
  return path.dirname(dir) !== dir && packageTypeIsModule(path.dirname(dir));
}

async function loadModule(taskRoot, modulePath, moduleName) {
  const require = createRequire(SELF);
  const isFile = (f) => fs.statSync(f, { throwIfNoEntry: false })?.isFile() ?? false;
  const esm = (f) => import(pathToFileURL(f).href);
  if (isFile(modulePath)) return require(modulePath);
  if (isFile(`${modulePath}.js`)) {
    return packageTypeIsModule(path.dirname(modulePath)) ? esm(`${modulePath}.js`) : require(`${modulePath}.js`);
  }
  if (isFile(`${modulePath}.mjs`)) return esm(`${modulePath}.mjs`);
  if (isFile(`${modulePath}.cjs`)) return require(`${modulePath}.cjs`);
  // Last, Node's own lookup: a directory with an index file, or node_modules.
  return require(require.resolve(moduleName, { paths: [taskRoot, path.dirname(modulePath)] }));
}

async function loadHandler() {
  const handlerString = env._HANDLER ?? '';
  const taskRoot = env.LAMBDA_TASK_ROOT ?? process.cwd();
  const match = /^([^.]*)\.(.*)$/.exec(path.basename(handlerString));
  if (!match || !match[1] || !match[2]) return initFailed(runtimeError('Runtime.MalformedHandlerName', 'Bad handler'));
  const [, moduleName, exportPath] = match;
  let mod;
  try {
    mod = await loadModule(taskRoot, path.resolve(taskRoot, path.dirname(handlerString), moduleName), moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) return initFailed(runtimeError('Runtime.UserCodeSyntaxError', String(e)), e);
    if (e?.code === 'MODULE_NOT_FOUND') return initFailed(runtimeError('Runtime.ImportModuleError', String(e)), e);
    return initFailed(errorPayload(e), e); // anything else, under its own name
  }
  const fn = exportPath.split('.').reduce((obj, key) => (obj == null ? undefined : obj[key]), mod);
  if (fn == null) return initFailed(runtimeError('Runtime.HandlerNotFound', `${handlerString} is undefined or not exported`));
  if (typeof fn !== 'function') return initFailed(runtimeError('Runtime.HandlerNotFound', `${handlerString} is not a function`));
  return fn;
}

// Runs when the event loop has nothing left to do: the moment a callback
// handler's deferred result is sent, or a handler that never answered yields null.
let onEmptyLoop = null;
process.on('beforeExit', () => { const run = onEmptyLoop; onEmptyLoop = null; run?.(); });

function invoke(handler, res) {
  return new Promise((finished) => {
    const h = res.headers;
    const id = h['lambda-runtime-aws-request-id'];
    if (!id) die('GET /invocation/next: no Lambda-Runtime-Aws-Request-Id header');
    requestId = id;
    if (h['lambda-runtime-trace-id']) env._X_AMZN_TRACE_ID = h['lambda-runtime-trace-id'];
    else delete env._X_AMZN_TRACE_ID;

    let settled = false;
    const send = (isError, value) => {
      onEmptyLoop = null;
      if (activeId === id) activeId = null;
      if (!isError) {
        try { // an undefined result is sent as null, as AWS does
          const body = JSON.stringify(value === undefined ? null : value) ?? 'null';
          return post(`/invocation/${id}/response`, body).then(finished);
        } catch (e) {
          value = new Error(`Unable to stringify response body: ${e.message}`);
        }
      }
      const payload = errorPayload(value);
      logError('Invoke Error', payload, value);
      return postError(`/invocation/${id}/error`, payload).then(finished);
    };
    const settle = (isError, value, waitForEmptyLoop = false) => {
      if (settled) return;
      settled = true;
      if (waitForEmptyLoop && !isError) onEmptyLoop = () => send(false, value);
      else send(isError, value);
    };
    activeId = id;
    onEmptyLoop = () => settle(false, null);

    let event;
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      awsRequestId: id,
      invokedFunctionArn: h['lambda-runtime-invoked-function-arn'],
      functionName: env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
      memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
      getRemainingTimeInMillis: () => Number(h['lambda-runtime-deadline-ms']) - Date.now(),
      // Legacy completion methods: they answer at once, without waiting for the loop.
      done: (err, value) => (err != null ? settle(true, err) : settle(false, value)),
      succeed: (value) => settle(false, value),
      fail: (err) => settle(true, err ?? 'handled'),
    };
    try {
      event = JSON.parse(res.body);
      if (h['lambda-runtime-client-context']) context.clientContext = JSON.parse(h['lambda-runtime-client-context']);
      if (h['lambda-runtime-cognito-identity']) context.identity = JSON.parse(h['lambda-runtime-cognito-identity']);
    } catch (e) {
      settle(true, Object.assign(new Error(`Unable to parse the event: ${e.message}`), { name: 'Runtime.UnmarshalError' }));
      return;
    }
    const callback = (err, value) => (err != null
      ? settle(true, err)
      : settle(false, value, context.callbackWaitsForEmptyEventLoop));
    try {
      const result = handler(event, context, callback);
      if (result && typeof result.then === 'function') {
        result.then((value) => settle(false, value), (err) => settle(true, err ?? 'handled'));
      }
    } catch (e) {
      settle(true, e);
    }
  });
}

// An error nobody caught fails the invocation in progress (or the init), then
// the environment is discarded, as on AWS.
async function crash(err, label, code) {
  const payload = errorPayload(err);
  logError(label, payload, err);
  if (phase === 'init') await postError('/init/error', payload);
  else if (activeId) await postError(`/invocation/${activeId}/error`, payload);
  process.exit(phase === 'init' ? 1 : code);
}
process.on('uncaughtException', (err) => crash(err, 'Uncaught Exception', 129));
process.on('unhandledRejection', (reason) => crash(
  Object.assign(new Error(String(reason)), { name: 'Runtime.UnhandledPromiseRejection' }), 'Unhandled Promise Rejection', 128));

// Not a top-level await: the loop must be free to empty while a handler runs.
(async () => {
  const handler = await loadHandler();
  phase = 'running';
  for (;;) await invoke(handler, await nextEvent());
})();
