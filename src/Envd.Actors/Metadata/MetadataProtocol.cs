namespace Envd.Actors.Metadata;

public static class MetadataProtocol
{
    /// <summary>
    /// Poll the metadata service until one full success, for at most <paramref name="Deadline"/> (null: until it
    /// answers). The sender is told the sandbox ids as <see cref="Init.InitProtocol.SetInternalEnv"/>.
    /// </summary>
    public sealed record PollMetadata(TimeSpan? Deadline);
}
