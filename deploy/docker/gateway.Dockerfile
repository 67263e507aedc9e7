# syntax=docker/dockerfile:1
# The Drex HTTP gateway (an Orleans client). Build from the repository root; BuildKit picks up
# gateway.Dockerfile.dockerignore:
#   docker build -f deploy/docker/gateway.Dockerfile -t <your-registry>/drex-gateway:<tag> .
# Port 8080: the API, /health/ready, /health/live, /openapi/v1.json and /scalar. Settings: src/Drex.Gateway/README.md.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG RID=linux-x64
WORKDIR /src
# Restore layer: build files and project files only, so a source edit reuses the restored packages.
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props .editorconfig ./
COPY build/ build/
COPY src/Drex.Contracts/Drex.Contracts.csproj src/Drex.Contracts/
COPY src/Drex.Gateway/Drex.Gateway.csproj src/Drex.Gateway/
RUN dotnet restore src/Drex.Gateway/Drex.Gateway.csproj -r "$RID" -p:UseAppHost=false -p:PublishReadyToRun=true
COPY src/ src/
# ReadyToRun: the app's and its packages' assemblies (Orleans among them) are compiled ahead of time, so a new pod
# starts sooner and its first seconds under load are not spent in the JIT (docs/BENCHMARKS-system.md, 28 November 19:25).
RUN dotnet publish src/Drex.Gateway/Drex.Gateway.csproj -c Release -r "$RID" --self-contained false --no-restore \
      -p:UseAppHost=false -p:PublishReadyToRun=true -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
# The non-root user of the .NET images (uid 1654).
USER $APP_UID
ENTRYPOINT ["dotnet", "Drex.Gateway.dll"]
