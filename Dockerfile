# Image of the ltm command line (memory node and workers). Build after `mvn -DskipTests install`.
FROM eclipse-temurin:17-jre
WORKDIR /opt/ltm
COPY topology/target/ltm-topology-0.1.0-SNAPSHOT.jar topology/target/lib/ ./lib/
ENTRYPOINT ["java", "-cp", "/opt/ltm/lib/*", "io.ltm.topology.cli.LtmCli"]
