#!/usr/bin/env bash
# Publishes the test suite and the benchmarks as self-contained linux-x64 single-file executables
# (ILGPU included, compressed) for a GPU machine that has a driver but no .NET, then prints how to
# run them there. Usage: tools/gpu/publish.sh [output-dir]   (default: artifacts/gpu)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-artifacts/gpu}
options=(-c Release -r linux-x64 --self-contained -p:PublishSingleFile=true
    -p:EnableCompressionInSingleFile=true -p:IncludeAllContentForSelfExtract=true -p:DebugType=none)

dotnet publish tests/TensorGrad.Tests "${options[@]}" -o "$out/tests"
dotnet publish benchmarks/TensorGrad.Benchmarks "${options[@]}" -o "$out/benchmarks"
du -sh "$out"/tests "$out"/benchmarks

cat <<USAGE
Each folder is under 64 MiB; copy one at a time if the transfer is limited. On the GPU machine:
  TENSORGRAD_REQUIRE_GPU=cuda $out/tests/TensorGrad.Tests -class TensorGrad.Tests.Gpu.CudaBackendTests -class TensorGrad.Tests.Gpu.GpuParityTests
  $out/benchmarks/TensorGrad.Benchmarks --inProcess --filter '*Gemm*' '*TrainingStep*'
(TENSORGRAD_REQUIRE_GPU=1 requires every GPU kind, OpenCL included.)
USAGE
