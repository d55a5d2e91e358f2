namespace Envd.Linux.Metadata;

/// <summary>What the VM's metadata service tells about this sandbox.</summary>
public sealed record InstanceMetadata(string? InstanceId, string? TemplateId, string? LogsAddress, string? AccessTokenHash);

public interface IInstanceMetadata
{
    /// <summary>Fetches the metadata; throws <see cref="HttpRequestException"/> or <see cref="IOException"/> when unreachable.</summary>
    Task<InstanceMetadata> FetchAsync(CancellationToken cancellationToken);
}
