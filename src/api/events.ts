/**
 * The event stream: GET /api/events answers with server-sent events, one
 * DriverEvent (lifecycle or lease) per message, as the driver emits them.
 *
 * Framing (text/event-stream):
 *   retry: 3000            once, first
 *   event: ready           once, when the subscription is in place, so a
 *   data: {}               client knows no later event can be missed
 *
 *   id: 1                  then each event, as a default ("message") event
 *   data: {"kind":"lifecycle","event":"Started",…}
 *
 *   : keep-alive           a comment every `heartbeatMs`, so idle
 *                          connections are seen alive by both ends
 *
 * A browser's EventSource reads it as is (onmessage). A client that stops
 * reading is dropped once `maxBuffered` bytes wait for it, rather than
 * letting the daemon's memory grow. Streams end when the server closes.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { DriverEvent, NetworkDriverApi } from '../contract/network-api.js';
import { ROUTES } from '../client/http-routes.js';
import { DriverEventSchema, ErrorBodySchema } from './schemas.js';

interface EventStreamOptions {
  driver: NetworkDriverApi;
  heartbeatMs?: number;
  maxBuffered?: number;
}

/** One SSE message carrying a DriverEvent. */
export function formatEvent(event: DriverEvent, id: number): string {
  return `id: ${id}\ndata: ${JSON.stringify(event)}\n\n`;
}

export const READY_FRAME = 'retry: 3000\n\nevent: ready\ndata: {}\n\n';
export const HEARTBEAT_FRAME = ': keep-alive\n\n';

export function registerEventStream(app: FastifyInstance, options: EventStreamOptions): void {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxBuffered = options.maxBuffered ?? 4 * 1024 * 1024;
  const open = new Set<ServerResponse>();

  app.addHook('preClose', async () => {
    for (const res of open) res.end();
    open.clear();
  });

  app.get(
    ROUTES.events,
    {
      schema: {
        operationId: 'subscribe',
        tags: ['events'],
        summary: 'Server-sent events: each message is one DriverEvent (lifecycle or lease) as JSON.',
        response: {
          200: { description: 'An endless text/event-stream.', content: { 'text/event-stream': { schema: DriverEventSchema } } },
          '4xx': ErrorBodySchema,
        },
      },
      config: { access: { read: true } },
    },
    (request, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      let id = 0;
      let closed = false;
      const close = (): void => {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(heartbeat);
        open.delete(res);
        if (!res.writableEnded) res.end();
      };
      const send = (frame: string): void => {
        if (closed) return;
        if (res.writableLength > maxBuffered) {
          request.log.warn({ buffered: res.writableLength }, 'event client is not reading; dropping its stream');
          res.destroy();
          close();
          return;
        }
        res.write(frame);
      };
      const unsubscribe = options.driver.subscribe((event) => send(formatEvent(event, ++id)));
      const heartbeat = setInterval(() => send(HEARTBEAT_FRAME), heartbeatMs);
      heartbeat.unref();
      open.add(res);
      res.on('close', close);
      res.write(READY_FRAME);
      request.log.debug('event stream opened');
    },
  );
}
