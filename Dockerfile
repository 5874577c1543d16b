# Image of the ltm command line (memory node and workers). Build after `mvn -DskipTests package`.
FROM eclipse-temurin:17-jre
WORKDIR /opt/ltm
COPY cli/target/ltm-cli-0.1.0-SNAPSHOT.jar cli/target/lib/ ./lib/
ENTRYPOINT ["java", "-cp", "/opt/ltm/lib/*", "io.ltm.topology.cli.LtmCli"]
