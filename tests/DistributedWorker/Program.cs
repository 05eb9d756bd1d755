// Scenarios of the distributed tests, each run by every rank of `mpirun -np N` (or alone):
//   equivalence sgd|adam|nosync [device]
//                                50 data-parallel steps equal 50 single-process steps on the same samples
//   sampler                      the ranks' DistributedSampler shards cover every index once per epoch
//   checkpoint-save DIR          train 10 steps, rank 0 saves, train 10 more, rank 0 saves the result
//   checkpoint-resume DIR        resume from DIR's checkpoint, train 10 steps, compare with the saved result
//   mismatch                     rank 1 builds a wider model: DistributedDataParallel throws on every rank
//   abort                        rank 1 throws at step 5 while rank 0 trains on
// Each prints what it checked and exits 0 when it holds, 1 when not.
using System.Globalization;
using DistributedWorker;
using TensorGrad;
using TensorGrad.Distributed;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
using var group = ProcessGroup.Init();
string scenario = args.Length > 0 ? args[0] : "";
if (scenario == "equivalence" && args.Length > 2)
{
    Problem.Device = Device.Parse(args[2]);
}

bool ok = scenario switch
{
    "equivalence" => Scenarios.Equivalence(group, args[1]),
    "sampler" => Scenarios.Sampler(group),
    "checkpoint-save" => Scenarios.CheckpointSave(group, args[1]),
    "checkpoint-resume" => Scenarios.CheckpointResume(group, args[1]),
    "mismatch" => Scenarios.Mismatch(group),
    "abort" => Scenarios.Abort(group),
    _ => throw new ArgumentException($"unknown scenario '{scenario}'"),
};
return ok ? 0 : 1;
