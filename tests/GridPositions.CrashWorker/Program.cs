// The crash tests' child process. Usage:
//   GridPositions.CrashWorker <store-directory> <seed> <GroupCommit|EveryRecord> [fault]
// Prints "I <n>" before step n and "A <n>" once step n has returned (its effect acknowledged durable), until killed.
// With a fault, checkpoints are off: the journal alone must hold what was acknowledged.
using GridPositions;
using GridPositions.CrashTests;
using GridPositions.Diagnostics;

string directory = args[0];
int seed = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
Durability durability = Enum.Parse<Durability>(args[2]);
bool checkpoints = args.Length <= 3;
if (!checkpoints)
{
    FaultInjection.Active = Enum.Parse<Fault>(args[3]);
}

using FilePositionStore store = FilePositionStore.Open(directory, durability);
SuperPositionManager manager = SuperPositionManager.Open(store, CrashWorkload.Options, CrashWorkload.Clock);
var workload = new CrashWorkload(manager, seed);
using var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
output.WriteLine("READY");
for (int step = 1; step <= 1_000_000; step++)
{
    output.WriteLine($"I {step}");
    workload.Step(canCheckpoint: checkpoints);
    output.WriteLine($"A {step}");
}
