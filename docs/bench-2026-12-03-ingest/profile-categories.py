import re, sys, collections
# Stream-thread execution samples of a JFR recording, by where the time goes (first matching rule, whole stack)
RULES = [
 ('query processing (QueryProcessor)', ['QueryProcessor.handle']),
 ('ingest: contraction math (LongTermMemory.absorb)', ['LongTermMemory.absorb']),
 ('ingest: long-term state encode (MemoryStateCodec.toAvro, float16 packing)', ['MemoryStateCodec.toAvro']),
 ('ingest: long-term state decode (MemoryStateCodec.fromAvro)', ['MemoryStateCodec.fromAvro']),
 ('ingest: short-term records -> state (withShortTerm, float16 unpacking)', ['MemoryStores.withShortTerm']),
 ('ingest: novelty (score, summary)', ['NoveltyTracker.', 'IngestProcessor.emit']),
 ('ingest: event vectors unpack + finiteness check (InputValidator)', ['InputValidator.vectors']),
 ('ingest: store reads/writes (Metered/Caching/RocksDB, Avro serde of store values)', ['MeteredKeyValueStore', 'MeteredKeyValueIterator']),
 ('ingest: other', ['IngestProcessor.']),
 ('input record decode (Avro deserialiser of the event)', ['DecodingProcessor.process']),
 ('cache flush -> RocksDB put + changelog send', ['ThreadCache.flush', 'NamedCache.flush', 'CachingKeyValueStore.flush']),
 ('commit (EOS transaction, offsets, flush of producer)', ['TaskExecutor.commit', 'commitTasks', 'TaskManager.commit', 'RecordCollectorImpl.flush', 'commitOffsetsOrTransaction', 'maybeCommit']),
 ('consumer poll / fetch', ['pollRequests', 'KafkaConsumer.poll', 'ClassicKafkaConsumer.poll', 'AsyncKafkaConsumer.poll']),
 ('record queue / task bookkeeping', ['StreamTask.process', 'PartitionGroup', 'addRecordsToTasks']),
]
def parse(fn):
    text=open(fn).read(); out=[]
    for block in re.split(r'jdk\.\w+ \{', text)[1:]:
        m = re.search(r'sampledThread = "([^"]*)"', block)
        th = m.group(1) if m else ''
        frames = re.findall(r'^\s+([\w$.<>/]+\.[\w$<>]+)\(', block, re.M)
        out.append((th, frames))
    return out
s=[f for t,f in parse(sys.argv[1]) if 'StreamThread' in t]
n=len(s); cats=collections.Counter()
for f in s:
    joined='\n'.join(f)
    for name, keys in RULES:
        if any(k in joined for k in keys): cats[name]+=1; break
    else: cats['other (Streams run loop: '+(f[0] if f else '?')+')']+=1
print(f'{n} stream-thread samples')
for c,k in cats.most_common(40): print(f'{100*k/n:5.1f}% {k:4d} {c}')
