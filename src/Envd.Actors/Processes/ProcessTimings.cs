namespace Envd.Actors.Processes;

/// <param name="Retention">How long Connect still answers with the end of a process that exited.</param>
/// <param name="StarterGrace">How long the Start caller has to attach before output flows without it.</param>
public sealed record ProcessTimings(TimeSpan Retention, TimeSpan StarterGrace)
{
    public static readonly ProcessTimings Default = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));
}
