#!/usr/bin/env bash
# Checks the packages as a user gets them: `dotnet pack` into artifacts/ (once), then a fresh
# console project outside the repository, whose nuget.config takes TensorGrad* only from
# artifacts/, adds a package and runs.
#   consumer-check.sh cpu   adds TensorGrad, trains XOR and must classify all 4 points
#   consumer-check.sh gpu   adds TensorGrad.Backends.Gpu and runs a forward pass on ILGPU's CPU accelerator
set -euo pipefail
kind=${1:?usage: consumer-check.sh cpu|gpu}
repo=$(cd "$(dirname "$0")/../.." && pwd)
artifacts="$repo/artifacts"
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props" | head -1)

if ! ls "$artifacts"/TensorGrad.Core."$version".nupkg >/dev/null 2>&1; then
    dotnet pack "$repo/TensorGrad.sln" -c Release -o "$artifacts"
fi

# Packages of this version from an earlier pack must not be taken from NuGet's cache.
packages=$(dotnet nuget locals global-packages --list | sed 's/^[^:]*: *//')
rm -rf "$packages"/tensorgrad*/"$version"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="artifacts" value="$artifacts" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="artifacts"><package pattern="TensorGrad*" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
CONFIG

cd "$work"
dotnet new console -o app --framework net10.0 >/dev/null
cd app
if [ "$kind" = cpu ]; then
    dotnet add package TensorGrad --version "$version" >/dev/null
    cat > Program.cs <<'PROGRAM'
using TensorGrad;
using TensorGrad.Nn;
using TensorGrad.Optim;

Init.ManualSeed(1);
var x = Tensor.FromArray([0f, 0, 0, 1, 1, 0, 1, 1], 4, 2);
var y = Tensor.FromArray([0f, 1, 1, 0], 4);
var model = new Sequential(new Linear(2, 16), new Tanh(), new Linear(16, 2));
var adam = new Adam(model.Parameters(), lr: 0.05);
for (int step = 0; step < 300; step++)
{
    using var tape = Tape.Begin();
    var loss = Loss.CrossEntropy(model.Forward(x), y);
    adam.ZeroGrad();
    loss.Backward();
    adam.Step();
}

using var evaluation = Tape.Begin(recordGradients: false);
var predicted = model.Forward(x).ArgMax(1).ToArray();
int correct = predicted.Zip(new[] { 0f, 1, 1, 0 }).Count(p => p.First == p.Second);
Console.WriteLine($"XOR from the TensorGrad package: {correct}/4 correct on {x.Device}");
return correct == 4 ? 0 : 1;
PROGRAM
else
    dotnet add package TensorGrad.Backends.Gpu --version "$version" >/dev/null
    cat > Program.cs <<'PROGRAM'
using TensorGrad;

// relu(x·w + b) on ILGPU's CPU accelerator, against values worked by hand.
var device = Device.Parse("ilgpu-cpu:0");
var x = Tensor.FromArray([1f, 2, 3, 4], new Shape(2, 2), device);
var w = Tensor.FromArray([1f, -1, 0.5f, 2], new Shape(2, 2), device);
var b = Tensor.FromArray([0.5f, -10], new Shape(2), device);
var y = (x.MatMul(w) + b).Relu().ToArray();
float[] expected = [2.5f, 0, 5.5f, 0];
Console.WriteLine($"forward from the TensorGrad.Backends.Gpu package on {device}: [{string.Join(", ", y)}]");
return y.SequenceEqual(expected) ? 0 : 1;
PROGRAM
fi
dotnet run -c Release
