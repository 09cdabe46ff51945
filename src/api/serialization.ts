/**
 * Response serialization for virtnetd: fast-json-stringify, built exactly as
 * fastify's default serializer compiler builds it, but on a route's first
 * answer with a given status rather than for every route of every listener
 * at start-up, and once per schema for all listeners (the error body is one
 * schema for every route). Building them all at start-up held ~3 MiB of the
 * daemon's heap for routes most daemons never answer (bench/README.md).
 */
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifySerializerCompiler } from 'fastify';

type Serializer = (data: unknown) => string;

const build = SerializerSelector()({});
const built = new WeakMap<object, Serializer>();

/** fastify's serializerCompiler: the route's serializer, built when first used. */
export const serializerCompiler: FastifySerializerCompiler<unknown> = (route) => {
  const schema = route.schema as object;
  let serialize: Serializer | undefined;
  return (data: unknown) => {
    if (serialize === undefined) {
      serialize = built.get(schema) ?? build({ ...route, httpStatus: route.httpStatus ?? '' });
      built.set(schema, serialize);
    }
    return serialize(data);
  };
};
