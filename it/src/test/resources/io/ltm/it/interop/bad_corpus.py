#!/usr/bin/python3
"""A counted corpus of bad records, interleaved with good ones, produced with Confluent's Python client.

usage: bad_corpus.py SPEC.json
SPEC: bootstrap, registry, topics {tokens, events, queries, control}, schemas {EncodedTokens, TokenEvent,
MemoryQuery, ControlCommand} (Avro JSON), dim, max_tokens, max_chars, repeat, seed, keys, huge_bytes.
Every record is written with murmur2 (librdkafka's murmur2_random, as Java producers place keys), so the dead
letters name the very topic, partition and offset printed here (a query or control command that the node writes
again to its key's partition, such as the first one it sees, is named where it was written first). Output: one JSON object per record on stdout, in
the order produced: kind, good (bool), topic, partition, offset, key (hex, or null), the value's size and
SHA-256 (of no bytes for a tombstone), and for good records the tokens
they carry (count, or the text) and for queries their id.
"""
import datetime
import hashlib
import io
import json
import random
import struct
import sys

import avro.io
import avro.schema
from confluent_kafka import Producer
from confluent_kafka.avro import CachedSchemaRegistryClient

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
FOREIGN = avro.schema.parse(json.dumps({"type": "record", "name": "Foreign", "namespace": "chaos",
                                        "fields": [{"name": "x", "type": "int"}]}))


def body(schema, value):
    out = io.BytesIO()
    avro.io.DatumWriter(schema).write(value, avro.io.BinaryEncoder(out))
    return out.getvalue()


class Corpus:
    def __init__(self, spec):
        self.spec = spec
        self.rnd = random.Random(spec['seed'])
        self.registry = CachedSchemaRegistryClient(spec['registry'])
        self.schemas = {n: avro.schema.parse(s) for n, s in spec['schemas'].items()}
        self.ids = {}
        for name, topic in (('EncodedTokens', 'tokens'), ('TokenEvent', 'events'), ('MemoryQuery', 'queries'),
                            ('ControlCommand', 'control')):
            self.ids[name] = self.registry.register(spec['topics'][topic] + '-value', self.schemas[name])
        self.ids['Foreign'] = self.registry.register('chaos-foreign-value', FOREIGN)
        self.dim = spec['dim']
        self.qn = 0

    def framed(self, name, value, schema_id=None):
        sid = self.ids[name] if schema_id is None else schema_id
        schema = FOREIGN if name == 'Foreign' else self.schemas[name]
        return b'\x00' + struct.pack('>I', sid) + body(schema, value)

    def block(self, count, dim=None, fill=None, encoding='FLOAT32', data_count=None):
        dim = self.dim if dim is None else dim
        n = (count if data_count is None else data_count) * dim
        vals = [self.rnd.gauss(0, 1) for _ in range(n)]
        if fill is not None and n:
            vals[self.rnd.randrange(n)] = fill
        if encoding == 'FLOAT16':
            data = struct.pack('<%de' % n, *vals)
        else:
            data = struct.pack('<%df' % n, *vals)
        return {'dim': dim, 'count': count, 'encoding': encoding, 'data': data}

    def tokens(self, count=None, **kw):
        count = self.rnd.randint(1, 6) if count is None else count
        return self.framed('EncodedTokens', {
            'vectors': self.block(count, **kw), 'tokens': None, 'text': None,
            'source': {'topic': 'py-corpus', 'partition': 0, 'offset': self.rnd.randrange(1 << 30),
                       'timestamp': EPOCH + datetime.timedelta(milliseconds=1_700_000_000_000), 'sourceId': None}})

    def event(self, text=None, vectors=None):
        return self.framed('TokenEvent', {'text': text, 'vectors': vectors, 'tokens': None, 'eventTime': None,
                                          'sourceId': None})

    def query(self, qid, key, text=None, vectors=None):
        return self.framed('MemoryQuery', {'queryId': qid, 'key': key, 'text': text, 'vectors': vectors,
                                           'options': {'spans': 1, 'includeContext': False, 'includeShortTerm': True,
                                                       'head': 'ZERO_SHOT', 'rereadTokens': 0},
                                           'requestedAt': EPOCH})

    def words(self, chars):
        """Text of exactly `chars` characters made of short words."""
        s = ''
        while len(s) < chars:
            s += self.rnd.choice(['alpha', 'beta', 'gamma', 'delta', 'log', 'disk', 'user']) + ' '
        return s[:chars - 1] + 'x'

    def key(self):
        return self.rnd.choice(self.spec['keys'])

    def qid(self):
        self.qn += 1
        return 'corpus-q-%d' % self.qn


def bad_kinds(c):
    """(kind, topic, key bytes or None, value bytes or None, query id or None); a fresh record per call."""
    t, e, q, ctl = (c.spec['topics'][n] for n in ('tokens', 'events', 'queries', 'control'))
    k = lambda: c.key().encode()
    valid = c.tokens(3)
    ev = c.event(text='a perfectly good text')
    huge = c.rnd.randbytes(c.spec['huge_bytes'])
    non_utf8_key = b'\xff\xfe' + k()
    kinds = [
        ('tokens.wrong-magic-byte', t, k(), b'\x01' + valid[1:], None),
        ('tokens.unknown-schema-id', t, k(), b'\x00' + struct.pack('>I', 2_000_000_007) + valid[5:], None),
        ('tokens.truncated-avro', t, k(), valid[:len(valid) // 2], None),
        ('tokens.header-only', t, k(), valid[:5], None),
        ('tokens.two-bytes', t, k(), b'\x00\x00', None),
        ('tokens.empty-value', t, k(), b'', None),
        ('tokens.tombstone', t, k(), None, None),
        ('tokens.no-key', t, None, valid, None),
        ('tokens.empty-key', t, b'', valid, None),
        ('tokens.nul-in-key', t, b'user\x00' + k(), valid, None),
        ('tokens.non-utf8-key', t, non_utf8_key, valid, None),
        ('tokens.nan', t, k(), c.tokens(4, fill=float('nan')), None),
        ('tokens.inf', t, k(), c.tokens(4, fill=float('inf')), None),
        ('tokens.minus-inf-float16', t, k(), c.tokens(4, fill=float('-inf'), encoding='FLOAT16'), None),
        ('tokens.wrong-dimension', t, k(), c.tokens(4, dim=c.dim + 1), None),
        ('tokens.zero-count', t, k(), c.tokens(0), None),
        ('tokens.count-larger-than-data', t, k(), c.tokens(5, data_count=3), None),
        ('tokens.over-token-limit', t, k(), c.tokens(c.spec['max_tokens'] + 1), None),
        ('tokens.wrong-schema', t, k(), c.framed('Foreign', {'x': 7}), None),
        ('tokens.event-schema-on-tokens', t, k(), ev, None),
        ('tokens.huge-garbage', t, k(), huge, None),
        ('events.wrong-magic-byte', e, k(), b'\x05' + ev[1:], None),
        ('events.unknown-schema-id', e, k(), b'\x00' + struct.pack('>I', 2_000_000_009) + ev[5:], None),
        ('events.truncated-avro', e, k(), ev[:len(ev) - 4], None),
        ('events.empty-value', e, k(), b'', None),
        ('events.tombstone', e, k(), None, None),
        ('events.no-key', e, None, ev, None),
        ('events.nul-in-key', e, b'\x00', ev, None),
        ('events.non-utf8-key', e, non_utf8_key, ev, None),
        ('events.no-text-no-vectors', e, k(), c.event(), None),
        ('events.blank-text', e, k(), c.event(text='  \t '), None),
        ('events.text-over-char-limit', e, k(), c.event(text=c.words(c.spec['max_chars'] + 1)), None),
        ('events.vectors-nan', e, k(), c.event(vectors=c.block(3, fill=float('nan'))), None),
        ('events.vectors-wrong-dimension', e, k(), c.event(vectors=c.block(3, dim=c.dim * 2)), None),
        ('events.huge-garbage', e, k(), huge, None),
    ]
    qk = c.key()
    for kind, make in (('queries.no-text-no-vectors', lambda i: c.query(i, qk)),
                       ('queries.wrong-dimension', lambda i: c.query(i, qk, vectors=c.block(2, dim=c.dim - 1))),
                       ('queries.nan', lambda i: c.query(i, qk, vectors=c.block(2, fill=float('nan')))),
                       ('queries.text-over-char-limit',
                        lambda i: c.query(i, qk, text=c.words(c.spec['max_chars'] + 1)))):
        i = c.qid()
        kinds.append((kind, q, qk.encode(), make(i), i))
    kinds += [
        ('queries.garbage', q, k(), c.rnd.randbytes(64), None),
        ('queries.nul-in-key', q, b'a\x00b', c.query('corpus-nul', 'a\x00b', text='where'), None),
        ('control.garbage', ctl, k(), b'\x00\x00\x00\x00\x01\xff\xff', None),
        ('control.unknown-schema-id', ctl, k(), b'\x00' + struct.pack('>I', 2_000_000_011) + b'\x00', None),
    ]
    return kinds


def good_record(c):
    """A good token record or text event for one of the keys: (kind, topic, key, value, extra)."""
    key = c.key()
    if c.rnd.random() < 0.5:
        n = c.rnd.randint(1, 6)
        enc = c.rnd.choice(['FLOAT32', 'FLOAT16'])
        return 'tokens.good', c.spec['topics']['tokens'], key, c.tokens(n, encoding=enc), {'count': n}
    text = ' '.join(c.rnd.choice(['disk', 'full', 'user', 'login', 'failed', 'ok', 'restart', 'cron'])
                    for _ in range(c.rnd.randint(1, 9)))
    return 'events.good', c.spec['topics']['events'], key, c.event(text=text), {'text': text}


def good_edge_records(c):
    """Good records at the limits, and a text that is not valid UTF-8 (decoded with U+FFFD, as Avro does)."""
    key = c.key()
    at_chars = c.words(c.spec['max_chars'])
    marker = 'QQQQ'
    raw = c.event(text='bad bytes ' + marker + ' here')
    i = raw.index(marker.encode())
    non_utf8 = raw[:i] + b'\xff\xfe\xfd\xfc' + raw[i + len(marker):]
    return [
        ('tokens.at-token-limit', c.spec['topics']['tokens'], key, c.tokens(c.spec['max_tokens']),
         {'count': c.spec['max_tokens']}),
        ('events.text-at-char-limit', c.spec['topics']['events'], key, c.event(text=at_chars), {'text': at_chars}),
        ('events.non-utf8-text', c.spec['topics']['events'], key, non_utf8,
         {'text_bytes': b'bad bytes \xff\xfe\xfd\xfc here'.hex()}),
    ]


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    c = Corpus(spec)
    records = []
    for _ in range(spec['repeat']):
        for kind, topic, key, value, qid in bad_kinds(c):
            records.append((kind, False, topic, key, value, {'query_id': qid} if qid else {}))
    goods = []
    for _ in range(len(records)):
        kind, topic, key, value, extra = good_record(c)
        goods.append((kind, True, topic, key.encode(), value, extra))
    for kind, topic, key, value, extra in good_edge_records(c):
        goods.append((kind, True, topic, key.encode(), value, extra))
    c.rnd.shuffle(records)
    mixed = []
    for i in range(max(len(records), len(goods))):  # bad and good alternate
        if i < len(records):
            mixed.append(records[i])
        if i < len(goods):
            mixed.append(goods[i])

    # murmur2 as Java producers: the dead letters then name exactly these partitions and offsets
    p = Producer({'bootstrap.servers': spec['bootstrap'], 'partitioner': 'murmur2_random',
                  'message.max.bytes': spec['huge_bytes'] + (1 << 20), 'linger.ms': 5})
    out = [None] * len(mixed)

    def delivered(i):
        def cb(err, msg):
            if err is not None:
                raise SystemExit('record %d (%s) not delivered: %s' % (i, mixed[i][0], err))
            kind, good, topic, key, value, extra = mixed[i]
            o = {'kind': kind, 'good': good, 'topic': msg.topic(), 'partition': msg.partition(),
                 'offset': msg.offset(), 'key': None if key is None else key.hex(),
                 'bytes': 0 if value is None else len(value),
                 'sha256': hashlib.sha256(value or b'').hexdigest()}
            o.update(extra)
            out[i] = o
        return cb

    for i, (kind, good, topic, key, value, extra) in enumerate(mixed):
        p.produce(topic, value=value, key=key, on_delivery=delivered(i))
        p.poll(0)
    if p.flush(60) != 0:
        raise SystemExit('not every record was acknowledged')
    for o in out:
        print(json.dumps(o, sort_keys=True))


if __name__ == '__main__':
    main()
