import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { RequirePermissions } from '@herald/auth';
import { ApiTags } from '@nestjs/swagger';
import { SigningKeyEntity } from './signing-key.entity';
import { SigningKeysService } from './signing-keys.service';

function toResource(k: SigningKeyEntity, now = new Date()) {
  const state = k.activatesAt > now ? 'next' : k.retiredAt && k.retiredAt <= now ? 'retired' : 'active';
  return {
    id: k.kid,
    algorithm: k.alg,
    state,
    dateCreated: k.dateCreated.toISOString(),
    dateActivates: k.activatesAt.toISOString(),
    dateRetired: k.retiredAt?.toISOString(),
    dateExpires: k.expiresAt?.toISOString(),
  };
}

/** Herald extension: the access-token signing keys (public data only) and their rotation. */
@ApiTags('OAuth')
@Controller('api/v2/herald/oauth/signingkeys')
export class SigningKeysController {
  constructor(private readonly keys: SigningKeysService) {}

  @Get()
  @RequirePermissions('oauth:signingKey:view')
  async list() {
    const keys = await this.keys.published();
    return { entities: keys.map((k) => toResource(k)), total: keys.length };
  }

  /** Rotation: a new key, published now, signing after SIGNING_KEY_PUBLISH_SECONDS. */
  @Post()
  @HttpCode(200)
  @RequirePermissions('oauth:signingKey:add')
  async rotate() {
    return toResource(await this.keys.rotate());
  }
}
