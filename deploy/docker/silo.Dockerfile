# syntax=docker/dockerfile:1
# The Drex silo (Orleans host). Build from the repository root; BuildKit picks up silo.Dockerfile.dockerignore:
#   docker build -f deploy/docker/silo.Dockerfile -t <your-registry>/drex-silo:<tag> .
# Ports: 11111 silo-to-silo, 30000 Orleans gateway (clients), 8081 HTTP health (/health/startup, /health/ready,
# /health/live). All settings come from environment variables (Orleans__*, Drex__*): see src/Drex.Silo/README.md.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG RID=linux-x64
WORKDIR /src
# Restore layer: build files and project files only, so a source edit reuses the restored packages.
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props .editorconfig ./
COPY build/ build/
COPY src/Drex.Contracts/Drex.Contracts.csproj src/Drex.Contracts/
COPY src/Drex.Model/Drex.Model.csproj src/Drex.Model/
COPY src/Drex.Storage/Drex.Storage.csproj src/Drex.Storage/
COPY src/Drex.Persistence/Drex.Persistence.csproj src/Drex.Persistence/
COPY src/Drex.Grains/Drex.Grains.csproj src/Drex.Grains/
COPY src/Drex.Silo/Drex.Silo.csproj src/Drex.Silo/
RUN dotnet restore src/Drex.Silo/Drex.Silo.csproj -r "$RID" -p:UseAppHost=false -p:PublishReadyToRun=true
COPY src/ src/
# ReadyToRun: the app's and its packages' assemblies (Orleans among them) are compiled ahead of time, so a new pod
# starts sooner and its first seconds under load are not spent in the JIT (docs/BENCHMARKS-system.md, 28 November 19:25).
RUN dotnet publish src/Drex.Silo/Drex.Silo.csproj -c Release -r "$RID" --self-contained false --no-restore \
      -p:UseAppHost=false -p:PublishReadyToRun=true -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=build /app ./
# The silo binds its health port itself (Drex:Silo:HttpPort); clear the image's default ASP.NET port so Kestrel
# does not warn that it overrides it.
ENV ASPNETCORE_HTTP_PORTS= \
    Orleans__SiloPort=11111 \
    Orleans__GatewayPort=30000 \
    Drex__Silo__HttpPort=8081
EXPOSE 11111 30000 8081
# The non-root user of the .NET images (uid 1654).
USER $APP_UID
ENTRYPOINT ["dotnet", "Drex.Silo.dll"]
