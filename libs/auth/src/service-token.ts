/**
 * A service's own access token, for calls it makes on its own behalf rather than a caller's
 * (a Kafka consumer has no caller): the OAuth 2.0 client credentials grant against the edge,
 * with the service's own client. Kept until a minute before it expires, or until a peer refuses
 * it (`rejected`: e.g. its signing key was retired, or the client's grants changed); concurrent
 * callers share one token request.
 */
export class ServiceToken {
  private cached?: { header: string; refreshAt: number };
  private pending?: Promise<string>;

  constructor(
    private readonly tokenUrl: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
  ) {}

  /** The value of an `Authorization` header. Throws if the edge cannot be reached or refuses the client. */
  async authorization(): Promise<string> {
    if (this.cached && this.cached.refreshAt > Date.now()) return this.cached.header;
    this.pending ??= this.request().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /**
   * A peer answered 401 to this `Authorization` header: the next `authorization()` asks the edge
   * for a new token. A header already replaced is ignored, so concurrent refusals of one old token
   * do not throw away its successor.
   */
  rejected(header: string): void {
    if (this.cached?.header === header) this.cached = undefined;
  }

  /**
   * `fetch` with this token in the `Authorization` header. A 401 (the token was refused, e.g. its
   * signing key was retired) is tried once more with a new token; that second answer, whatever it
   * is, is the caller's. Network failures, the token request's own failure and an attempt taking
   * over `timeoutMs` (each attempt has the whole of it) throw.
   */
  async fetch(url: string, init: RequestInit = {}, timeoutMs?: number): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      const authorization = await this.authorization();
      const signal = timeoutMs === undefined ? init.signal : AbortSignal.timeout(timeoutMs);
      const res = await fetch(url, { ...init, signal, headers: { ...(init.headers as Record<string, string> | undefined), authorization } });
      if (res.status !== 401 || attempt > 1) return res;
      await res.body?.cancel();
      this.rejected(authorization);
    }
  }

  private async request(): Promise<string> {
    const basic = Buffer.from(`${encodeURIComponent(this.clientId)}:${encodeURIComponent(this.clientSecret)}`).toString('base64');
    const res = await fetch(this.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
      signal: AbortSignal.timeout(5_000),
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!res.ok || !body.access_token) {
      throw new Error(`the edge refused this service's client credentials (${res.status} ${body.error ?? ''} ${body.error_description ?? ''})`.trim());
    }
    const header = `Bearer ${body.access_token}`;
    const lifetimeMs = (body.expires_in ?? 300) * 1000;
    this.cached = { header, refreshAt: Date.now() + Math.max(lifetimeMs - 60_000, lifetimeMs / 2) };
    return header;
  }
}
