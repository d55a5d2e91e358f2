namespace Envd.Linux.Metadata;

/// <summary>Keeps traffic to the metadata service off any NAT redirect a sandbox user has installed.</summary>
public interface IMetadataRoute
{
    /// <summary>Puts a RETURN rule for the metadata address first in the NAT chains; failures are ignored.</summary>
    Task PinAsync(CancellationToken cancellationToken);
}
