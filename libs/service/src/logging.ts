import { LoggerModule } from 'nestjs-pino';

/**
 * Structured JSON logs (pino). Addresses and message content never belong in a log line: code
 * does not log them, and these paths are censored in case a payload slips into one.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.address',
  '*.to',
  '*.toAddress',
  '*.phoneNumber',
  '*.email',
  '*.emailAddress',
  '*.body',
  '*.textBody',
  '*.contactData',
  '*.data',
  '*.secret',
  '*.clientSecret',
  '*.client_secret',
  '*.access_token',
  '*.accessToken',
];

/** A request path as logged: no query string, and no unsubscribe token (it encodes an address). */
export function loggedPath(url: string | undefined): string | undefined {
  return url?.split('?')[0]?.replace(/(\/unsubscribe\/)[^/]+/, '$1[redacted]');
}

export function loggingModule(service: string, level: string) {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      name: `herald-${service}`,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      autoLogging: { ignore: (req) => req.url?.startsWith('/health') ?? false },
      serializers: {
        req: (req: { method: string; url: string; id: unknown }) => ({ id: req.id, method: req.method, url: loggedPath(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug'),
    },
  });
}
