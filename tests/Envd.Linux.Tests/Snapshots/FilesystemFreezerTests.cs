using Envd.Linux.Native;
using Envd.Linux.Snapshots;
using Envd.Tests.Infrastructure;

namespace Envd.Linux.Tests.Snapshots;

/// <summary>FIFREEZE only ever on a loop-mounted ext4 image the test made, never on a real filesystem.</summary>
public sealed class FilesystemFreezerTests
{
    [SkippableFact]
    public async Task Writes_wait_while_frozen_and_complete_after_thaw()
    {
        Skip.If(LoopFilesystem.Unavailable is not null, LoopFilesystem.Unavailable);
        using var filesystem = LoopFilesystem.Create();
        var freezer = new FilesystemFreezer(filesystem.MountPath);

        await freezer.FreezeAsync(CancellationToken.None);
        var write = Task.Run(() => File.WriteAllText(Path.Combine(filesystem.MountPath, "late.txt"), "written"));
        await Task.Delay(300);
        Assert.False(write.IsCompleted);

        await freezer.ThawAsync(CancellationToken.None);

        await write.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("written", File.ReadAllText(Path.Combine(filesystem.MountPath, "late.txt")));
    }

    [SkippableFact]
    public async Task Freezing_twice_and_thawing_twice_both_succeed()
    {
        Skip.If(LoopFilesystem.Unavailable is not null, LoopFilesystem.Unavailable);
        using var filesystem = LoopFilesystem.Create();
        var freezer = new FilesystemFreezer(filesystem.MountPath);

        await freezer.FreezeAsync(CancellationToken.None);
        await freezer.FreezeAsync(CancellationToken.None);
        await freezer.ThawAsync(CancellationToken.None);
        await freezer.ThawAsync(CancellationToken.None);

        File.WriteAllText(Path.Combine(filesystem.MountPath, "after.txt"), "ok");
    }

    [Fact]
    public async Task A_missing_path_is_an_error_with_its_errno()
    {
        var freezer = new FilesystemFreezer("/nonexistent-envd-path/" + Guid.NewGuid());

        var error = await Assert.ThrowsAsync<NativeErrorException>(() => freezer.FreezeAsync(CancellationToken.None));

        Assert.Equal(2, error.Errno);
    }

    [Fact]
    public async Task A_caller_that_gives_up_waiting_gets_a_cancellation()
    {
        var freezer = new FilesystemFreezer("/nonexistent-envd-path");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => freezer.ThawAsync(new CancellationToken(canceled: true)));
    }
}
