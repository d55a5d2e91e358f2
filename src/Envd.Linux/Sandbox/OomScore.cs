namespace Envd.Linux.Sandbox;

/// <summary>The kernel's OOM-killer preference for a process (<c>/proc/&lt;pid&gt;/oom_score_adj</c>).</summary>
public static class OomScore
{
    /// <summary>-1000: never pick this process. Upstream gets it from systemd (OOMScoreAdjust=-1000); envd sets it itself.</summary>
    public const int Exempt = -1000;

    /// <exception cref="IOException">The kernel refused (not root, or no such file).</exception>
    public static void Set(string oomScoreAdjPath, int score) =>
        File.WriteAllText(oomScoreAdjPath, score.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
