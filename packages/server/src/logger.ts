import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type Logger } from 'pino';
import { pinoHttp } from 'pino-http';

/** JSON lines on stdout; SNEK_LOG_LEVEL=debug|info|warn|error|silent. */
export function createLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  return pino({ level: env['SNEK_LOG_LEVEL'] ?? 'info', base: { service: 'snek-server' } });
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** One log line per request, tagged with a request id that is echoed in x-request-id. Headers are not logged, so tokens never are. */
export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}
