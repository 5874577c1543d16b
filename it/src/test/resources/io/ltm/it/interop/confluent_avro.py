#!/usr/bin/python3
"""Confluent's Python client (python3-confluent-kafka 1.7, legacy confluent_kafka.avro API) on our topics.

usage: confluent_avro.py consume|produce SPEC.json
Records are exchanged as "plain" JSON: timestamp-millis as epoch millis, bytes as hex, enums as symbols,
unions as the bare value. Output (consume): one JSON object per line on stdout.
"""
import datetime
import json
import sys

import avro.schema
from confluent_kafka import Consumer, Producer
from confluent_kafka.avro import AvroConsumer, AvroProducer, CachedSchemaRegistryClient
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def logical(s):
    return getattr(s, 'logical_type', None) or (s.props.get('logicalType') if hasattr(s, 'props') else None)


def to_plain(s, v):
    if v is None:
        return None
    t = s.type
    if t == 'union':
        for b in s.schemas:
            if b.type != 'null':
                try:
                    return to_plain(b, v)
                except Exception:
                    continue
        raise ValueError('no union branch for %r' % (v,))
    if t == 'record':
        return {f.name: to_plain(f.type, v.get(f.name)) for f in s.fields}
    if t == 'array':
        return [to_plain(s.items, x) for x in v]
    if t == 'map':
        return {k: to_plain(s.values, x) for k, x in v.items()}
    if t in ('bytes', 'fixed'):
        return bytes(v).hex()
    if t == 'long' and logical(s) == 'timestamp-millis':
        if isinstance(v, datetime.datetime):
            return (v - EPOCH) // datetime.timedelta(milliseconds=1)
        return v
    if t in ('float', 'double'):
        return float(v)
    return v


def from_plain(s, v):
    t = s.type
    if t == 'union':
        if v is None:
            return None
        for b in s.schemas:
            if b.type != 'null':
                return from_plain(b, v)
    if v is None:
        return None
    if t == 'record':
        return {f.name: from_plain(f.type, v[f.name]) for f in s.fields if f.name in v}
    if t == 'array':
        return [from_plain(s.items, x) for x in v]
    if t in ('bytes', 'fixed'):
        return bytes.fromhex(v)
    if t == 'long' and logical(s) == 'timestamp-millis':
        return EPOCH + datetime.timedelta(milliseconds=v)
    return v


def consume(spec):
    out = []
    registry = CachedSchemaRegistryClient(spec['registry'])
    for t in spec['topics']:
        conf = {'bootstrap.servers': spec['bootstrap'], 'group.id': 'py-' + t['topic'],
                'auto.offset.reset': 'earliest', 'enable.auto.commit': False}
        if t['api'] == 'avro-consumer':
            # the legacy API exactly as documented: decodes key and value (so the key must be Avro or absent)
            conf['schema.registry.url'] = spec['registry']
            c = AvroConsumer(conf)
            decode = None
        else:
            # keyed topics: our keys are plain UTF-8 strings, which AvroConsumer would try to Avro-decode; use the
            # same MessageSerializer that AvroConsumer uses, for the value only
            c = Consumer(conf)
            decode = MessageSerializer(registry)
        c.subscribe([t['topic']])
        got = 0
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=t.get('timeout', 30))
        while got < t['count'] and datetime.datetime.now() < deadline:
            m = c.poll(1.0)
            if m is None:
                continue
            if m.error():
                raise SystemExit('consumer error: %s' % m.error())
            raw = m.value()
            schema_id = None
            if decode is None:
                value = raw  # AvroConsumer decoded it with the writer schema it fetched by id
            else:
                schema_id = int.from_bytes(raw[1:5], 'big')
                value = decode.decode_message(raw)
            key = m.key()
            if isinstance(key, bytes):
                key = key.decode('utf-8')
            out.append({'topic': m.topic(), 'partition': m.partition(), 'offset': m.offset(), 'key': key,
                        'schema_id': schema_id, 'value': value})
            got += 1
        c.close()
        if got < t['count']:
            raise SystemExit('only %d of %d records from %s' % (got, t['count'], t['topic']))
    # plain-ify along the reader's schema (the structure of the values, not how they were decoded)
    for o in out:
        o['value'] = to_plain(avro.schema.parse(spec['schemas'][o['topic']]), o['value'])
        print(json.dumps(o, sort_keys=True))


def produce(spec):
    registry = CachedSchemaRegistryClient(spec['registry'])
    partitions = []  # where the client's own (default) partitioner put each record, in order

    def delivered(err, msg):
        if err is None:
            partitions.append(msg.partition())

    for r in spec['records']:
        schema = avro.schema.parse(r['schema'])
        value = from_plain(schema, r['value'])
        if r['api'] == 'avro-producer':
            p = AvroProducer({'bootstrap.servers': spec['bootstrap'], 'schema.registry.url': spec['registry']},
                             default_value_schema=schema)
            p.produce(topic=r['topic'], value=value, on_delivery=delivered)
        else:
            # default settings: librdkafka's default partitioner (consistent_random, CRC32 of the key)
            p = Producer({'bootstrap.servers': spec['bootstrap']})
            payload = MessageSerializer(registry).encode_record_with_schema(r['topic'], schema, value)
            p.produce(r['topic'], value=payload, key=r['key'].encode('utf-8') if r.get('key') is not None else None,
                      on_delivery=delivered)
        if p.flush(30) != 0:
            raise SystemExit('produce to %s not acknowledged' % r['topic'])
    print(json.dumps({'produced': len(spec['records']), 'partitions': partitions}))


if __name__ == '__main__':
    with open(sys.argv[2]) as f:
        spec = json.load(f)
    {'consume': consume, 'produce': produce}[sys.argv[1]](spec)
