import { Controller, Get, Header, Post, Req, Res } from '@nestjs/common';
import { Public } from '@herald/auth';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { SigningKeysService } from './signing-keys.service';
import { TokenError, TokenService } from './token.service';

/** OAuth 2.0 client credentials (RFC 6749 §4.4) and the public keys that verify the tokens. */
@ApiTags('OAuth')
@Public()
@Controller()
export class TokenController {
  constructor(
    private readonly tokens: TokenService,
    private readonly keys: SigningKeysService,
  ) {}

  @Post('oauth/token')
  @ApiOperation({ summary: 'Client credentials grant: form-encoded grant_type=client_credentials, optional scope; client authentication by HTTP Basic' })
  async token(@Req() req: Request, @Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    try {
      res.status(200).json(await this.tokens.grant(req.headers, req.headers['content-type'], req.body as unknown));
    } catch (e) {
      if (!(e instanceof TokenError)) throw e;
      if (e.status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="herald", charset="UTF-8"');
      res.status(e.status).json({ error: e.error, error_description: e.description });
    }
  }

  @Get('oauth/jwks')
  @Header('Cache-Control', 'public, max-age=60')
  @ApiOperation({ summary: 'The JSON Web Key Set of the keys that sign access tokens (RFC 7517)' })
  jwks() {
    return this.keys.jwks();
  }

  /** The same key set at the well-known path (RFC 8414 style discovery). */
  @Get('.well-known/jwks.json')
  @Header('Cache-Control', 'public, max-age=60')
  @ApiExcludeEndpoint()
  wellKnownJwks() {
    return this.keys.jwks();
  }
}
