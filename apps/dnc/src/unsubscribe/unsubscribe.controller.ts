import { Controller, Get, Header, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { Public } from '@herald/auth';
import { UnsubscribeClaims, verifyUnsubscribeToken } from '@herald/channels';
import { DomainError } from '@herald/service';
import { SuppressionsService } from '../suppressions/suppressions.service';

export const UNSUBSCRIBE_SECRET = Symbol('UNSUBSCRIBE_SECRET');

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex"><title>${title}</title></head><body style="font-family:sans-serif;max-width:32rem;margin:3rem auto">${body}</body></html>`;
}

/**
 * Herald extension: the target of the `List-Unsubscribe` link in every campaign email (RFC 8058).
 * The signed token is the only credential: a mail client's one-click `POST` carries no cookie and
 * no login, so this path must stay open without authentication. `GET` (a person following the link,
 * or a link scanner) only shows a confirmation form; `POST` unsubscribes.
 */
// RFC 8058 one-click POSTs carry no login: the signed token is the only credential.
@Public()
@Controller('api/v2/herald/unsubscribe')
export class UnsubscribeController {
  constructor(
    private readonly suppressions: SuppressionsService,
    @Inject(UNSUBSCRIBE_SECRET) private readonly secret: string,
  ) {}

  private claims(token: string): UnsubscribeClaims {
    const r = verifyUnsubscribeToken(token, this.secret);
    if (!r.ok) throw new DomainError('unsubscribe.token.invalid', `this unsubscribe link is not valid (${r.reason})`, 400);
    return r.claims;
  }

  @Get(':token')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  confirm(@Param('token') token: string): string {
    const { address } = this.claims(token);
    return page(
      'Unsubscribe',
      `<h1>Unsubscribe</h1><p>Stop all email to <strong>${escapeHtml(address)}</strong>?</p>` +
        `<form method="post" action="${escapeHtml(encodeURIComponent(token))}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
    );
  }

  /** RFC 8058 one-click: the body is `List-Unsubscribe=One-Click`; nothing else is needed. */
  @Post(':token')
  @HttpCode(200)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  async unsubscribe(@Param('token') token: string): Promise<string> {
    const claims = this.claims(token);
    await this.suppressions.unsubscribe(claims);
    return page('Unsubscribed', `<h1>Unsubscribed</h1><p><strong>${escapeHtml(claims.address)}</strong> will get no more email from us.</p>`);
  }
}
