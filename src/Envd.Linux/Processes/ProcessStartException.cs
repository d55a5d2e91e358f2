namespace Envd.Linux.Processes;

/// <summary>The child could not be started at all (as opposed to starting and failing).</summary>
public sealed class ProcessStartException(string message) : Exception(message);
