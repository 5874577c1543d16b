import os, sys, time, re, collections
pid = sys.argv[1]; errf = sys.argv[2]
def snap():
    out = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            name = open(f"/proc/{pid}/task/{t}/comm").read().strip()
            st = open(f"/proc/{pid}/task/{t}/stat").read()
            f = st[st.rfind(')')+2:].split()
            out[t] = (name, int(f[11]) + int(f[12]))
        except Exception: pass
    return out
# wait for plain ingest line, then snapshot; wait for node ingest line, snapshot
def wait_for(s):
    while True:
        if s in open(errf).read(): return
        time.sleep(0.05)
wait_for(sys.argv[3] if len(sys.argv)>3 else "plain ingest:"); a = snap(); t0 = time.time()
wait_for("node ingest:"); b = snap(); t1 = time.time()
agg = collections.Counter()
for t,(n,c) in b.items():
    c0 = a.get(t, (n,0))[1]
    agg[re.sub(r'\d+','N',n)] += c - c0
tot = sum(agg.values())
print(f"wall {t1-t0:.2f}s total cpu {tot/100:.2f}s")
for n,c in agg.most_common(25): print(f"{c/100:7.2f}s {n}")
