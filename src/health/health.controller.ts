import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HealthState } from './health-state';

/** Liveness and readiness for Kubernetes probes and load balancers. */
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthState) {}

  /** The process answers: nothing more (a stuck dependency must not restart us). */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 when Kafka is consumed, Elasticsearch writable and rules loaded; 503 with the reasons otherwise. */
  @Get('ready')
  ready(@Res({ passthrough: true }) response: Response): Record<string, unknown> {
    const { ready, components } = this.health.readiness();
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', components };
  }
}
