import { NodeSDK, tracing } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

let sdk: NodeSDK | undefined;

/**
 * Starts the OpenTelemetry Node SDK. Call it first thing in a service's entry point, before
 * the modules it instruments are loaded. The exporter is chosen by the standard variables:
 * OTEL_TRACES_EXPORTER (`otlp`, `console` or `none`, default `none` here) and
 * OTEL_EXPORTER_OTLP_ENDPOINT. Trace context crosses Kafka in the events' `traceparent`
 * (CloudEvents distributed-tracing extension, header `ce_traceparent`), exporter or not.
 */
export function startTelemetry(serviceName: string): void {
  if (sdk) return;
  process.env['OTEL_SERVICE_NAME'] ??= `herald-${serviceName}`;
  process.env['OTEL_TRACES_EXPORTER'] ??= 'none';
  process.env['OTEL_METRICS_EXPORTER'] ??= 'none';
  process.env['OTEL_LOGS_EXPORTER'] ??= 'none';
  // With no exporter the SDK would install no tracer provider at all, and no trace context would
  // cross Kafka. Keep a provider that records nothing anywhere: ids still flow through events.
  const exportNothing = process.env['OTEL_TRACES_EXPORTER'] === 'none';
  sdk = new NodeSDK({
    spanProcessors: exportNothing ? [new tracing.NoopSpanProcessor()] : undefined,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => req.url?.startsWith('/health') ?? false }),
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}
