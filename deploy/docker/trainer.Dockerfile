# syntax=docker/dockerfile:1
# The Drex trainer (TorchSharp): train, publish, loop, replay, evaluate, demo-data. Build from the repository root;
# BuildKit picks up trainer.Dockerfile.dockerignore:
#   docker build -f deploy/docker/trainer.Dockerfile -t <your-registry>/drex-trainer:<tag> .
#   docker run --rm <your-registry>/drex-trainer:<tag> loop --help
#
# TorchSharp 0.107's libLibTorchSharp.so asks for libstdc++ GLIBCXX_3.4.32, which Debian 12 lacks. The build fixes
# that itself: build/TorchSharpNative.targets (imported by Directory.Build.targets) marks the version-need weak in
# the publish output, so nothing here has to. The .NET 10 images are Ubuntu 24.04, whose libstdc++ has the version
# anyway; the patched library runs on both.
#
# Size: libtorch CPU (libtorch-cpu-linux-x64: about 700 MB restored, about 600 MB of the publish output) makes this
# image large, roughly 0.8 GB. The restore layer below keeps it from being downloaded again on a source edit.
# CUDA: --build-arg TORCH_BACKEND=cuda swaps in libtorch-cuda-12.8-linux-x64 (needs a NuGet feed that serves it, a
# GPU node with the NVIDIA container runtime, and `--device cuda`); the image then grows by several GB.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TORCH_BACKEND=cpu
WORKDIR /src
# Restore layer: build files and project files only, so a source edit reuses the restored packages (libtorch).
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props .editorconfig ./
COPY build/ build/
COPY src/Drex.Model/Drex.Model.csproj src/Drex.Model/
COPY src/Drex.Storage/Drex.Storage.csproj src/Drex.Storage/
COPY src/Drex.Trainer/Drex.Trainer.csproj src/Drex.Trainer/
# The project fixes RuntimeIdentifier linux-x64 (libtorch ships per RID).
RUN dotnet restore src/Drex.Trainer/Drex.Trainer.csproj -p:DrexTorchBackend="$TORCH_BACKEND" -p:UseAppHost=false
COPY src/ src/
RUN dotnet publish src/Drex.Trainer/Drex.Trainer.csproj -c Release --no-restore \
      -p:DrexTorchBackend="$TORCH_BACKEND" -p:UseAppHost=false -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0 AS final
COPY --from=build /app /app
# The trainer writes relative paths (.drex/trained bundles, .drex/cache/encoder): /data is its working directory;
# mount a volume there to keep the encoder cache across restarts.
RUN mkdir /data && chown "$APP_UID" /data
WORKDIR /data
# The non-root user of the .NET images (uid 1654).
USER $APP_UID
ENTRYPOINT ["dotnet", "/app/Drex.Trainer.dll"]
CMD ["--help"]
