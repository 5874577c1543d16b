#!/bin/bash
# Compiled first, in one directory: javac -cp "<cli jar>:<cli lib>/*" Ap.java Bc.java; javac -cp <model classes> -d . LM.java
# (LM is in package io.ltm.model.internal: BandedRows is package-private). /tmp/cli1 held the CLI build of 11d691d.
# A = the model of 11d691d (before this session), B = the model of 39880a1 (both changes)
A="/tmp/cli1/lib/*"; B="/work/main/model/target/classes:/tmp/cli1/lib/*"
for i in 1 2; do
  for v in A B; do
    CP=${!v}
    echo "$v leftMultiply (profile table, 256 folded rows): $(java -cp "$CP:." io.ltm.model.internal.LM | tail -1)"
    echo "$v $(java -cp "$CP:/tmp/cli1/ltm-cli-0.1.0-SNAPSHOT.jar:." Ap 125 2>&1 | grep apply) (long stream, 125 contractions)"
    echo "$v $(java -cp "$CP:/tmp/cli1/ltm-cli-0.1.0-SNAPSHOT.jar:." Ap 20 2>&1 | grep apply) (20 contractions)"
    echo "$v $(java -cp "$CP:/tmp/cli1/ltm-cli-0.1.0-SNAPSHOT.jar:." Bc 2>&1 | grep base)"
  done
done
