import { Controller, Get, Module, Optional } from '@nestjs/common';
import { Public } from '@herald/auth';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { EventPublisher, KafkaBatchServer } from '@herald/messaging';
import { DataSource } from 'typeorm';

/**
 * Liveness: the process answers. Readiness: Postgres answers (for services with a schema) and
 * Kafka is usable (producer connected, consumer group joined).
 */
@Public()
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly typeorm: TypeOrmHealthIndicator,
    @Optional() private readonly publisher?: EventPublisher,
    @Optional() private readonly server?: KafkaBatchServer,
    @Optional() private readonly dataSource?: DataSource,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    const checks = [];
    if (this.dataSource) checks.push(() => this.typeorm.pingCheck('database', { timeout: 2_000 }));
    if (this.publisher) {
      checks.push(async () => {
        const check = this.indicators.check('kafka');
        const consuming = this.server?.isReady ?? true;
        const detail = { producer: this.publisher!.isConnected, consumerGroupJoined: consuming };
        return this.publisher!.isConnected && consuming ? check.up(detail) : check.down(detail);
      });
    }
    return this.health.check(checks);
  }
}

@Module({ imports: [TerminusModule.forRoot({ logger: false })], controllers: [HealthController] })
export class HealthModule {}
