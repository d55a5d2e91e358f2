using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using Akka.TestKit.Xunit2;
using Envd.Actors.Files;
using Envd.Linux.Files;
using Envd.Linux.Users;
using static Envd.Actors.Files.FileTransferProtocol;

namespace Envd.Actors.Tests.Files;

public sealed class FileTransferActorTests : TestKit
{
    private static readonly UserAccount Root = new("root", 0, 0, "/root", "/bin/bash", [0]);
    private static readonly Dictionary<string, string> NoMetadata = [];
    private readonly string _dir = Directory.CreateTempSubdirectory("envd-transfer-").FullName;
    private readonly string _journalRoot = Directory.CreateTempSubdirectory("envd-transfer-journal-").FullName;
    private readonly StagingJournal _journal;

    public FileTransferActorTests()
        : base(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "envd.hocon"))))
    {
        _journal = StagingJournal.Open(_journalRoot, out _);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _journal.Dispose();
        Directory.Delete(_dir, recursive: true);
        Directory.Delete(_journalRoot, recursive: true);
    }

    /// <summary>Staged files in the target directory and their journal entries: two per upload in flight.</summary>
    private string[] Staged() =>
        Directory.GetFiles(_dir).Where(f => f.Contains(StagedFile.Marker))
            .Concat(Directory.GetFileSystemEntries(_journal.Directory).Where(e => Path.GetFileName(e) != "lock"))
            .ToArray();

    private IActorRef WatchedTransfer()
    {
        var transfer = Sys.ActorOf(FileTransferActor.Props(_journal, Sys.Materializer()));
        Watch(transfer);
        return transfer;
    }

    private static UploadFiles Upload(IUploadBody body, string? path = null, CancellationToken aborted = default) =>
        new(1, Root, null, path, body, NoMetadata, null, aborted);

    [Fact]
    public async Task An_upload_writes_every_part_replies_with_the_files_and_stops()
    {
        var first = Path.Combine(_dir, "first.txt");
        var second = Path.Combine(_dir, "sub", "second.bin");
        var big = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray();
        var transfer = WatchedTransfer();

        transfer.Tell(Upload(new PartsBody((first, new MemoryStream("one"u8.ToArray())), (second, new MemoryStream(big)))));

        var result = await ExpectMsgAsync<UploadResult>();
        Assert.Null(result.Failure);
        Assert.Equal([first, second], result.Files.Select(f => f.Path));
        Assert.Equal("one", await File.ReadAllTextAsync(first));
        Assert.Equal(big, await File.ReadAllBytesAsync(second));
        await ExpectTerminatedAsync(transfer);
    }

    [Fact]
    public async Task A_body_that_fails_mid_part_fails_the_upload_keeps_the_old_file_and_stops()
    {
        var target = Path.Combine(_dir, "kept.txt");
        await File.WriteAllTextAsync(target, "old");
        var transfer = WatchedTransfer();

        transfer.Tell(Upload(new PartsBody((target, new FailingStream(100_000))), target));

        var result = await ExpectMsgAsync<UploadResult>();
        Assert.Equal(FailureKind.UnreadableBody, result.Failure?.Kind);
        Assert.IsType<IOException>(result.Failure?.Cause);
        Assert.Equal("old", await File.ReadAllTextAsync(target));
        Assert.Empty(Staged());
        await ExpectTerminatedAsync(transfer);
    }

    [Fact]
    public async Task A_client_abort_mid_part_deletes_the_staged_file_and_stops()
    {
        var target = Path.Combine(_dir, "kept.txt");
        await File.WriteAllTextAsync(target, "old");
        using var aborted = new CancellationTokenSource();
        var transfer = WatchedTransfer();

        transfer.Tell(Upload(new PartsBody((target, new StallingStream(200_000, aborted.Token))), target, aborted.Token));
        await AwaitConditionAsync(() => Task.FromResult(Staged().Length == 2));
        await aborted.CancelAsync();

        var result = await ExpectMsgAsync<UploadResult>();
        Assert.Equal(FailureKind.Cancelled, result.Failure?.Kind);
        Assert.Empty(Staged());
        Assert.Equal("old", await File.ReadAllTextAsync(target));
        await ExpectTerminatedAsync(transfer);
    }

    [Fact]
    public async Task Stopping_a_transfer_mid_part_still_answers_and_deletes_the_staged_file()
    {
        var target = Path.Combine(_dir, "kept.txt");
        await File.WriteAllTextAsync(target, "old");
        var transfer = WatchedTransfer();

        transfer.Tell(Upload(new PartsBody((target, new StallingStream(200_000, CancellationToken.None))), target));
        await AwaitConditionAsync(() => Task.FromResult(Staged().Length == 2));
        Sys.Stop(transfer);

        var result = await ExpectMsgAsync<UploadResult>();
        Assert.Equal(FailureKind.Internal, result.Failure?.Kind);
        await ExpectTerminatedAsync(transfer);
        Assert.Empty(Staged());
        Assert.Equal("old", await File.ReadAllTextAsync(target));
    }

    [Fact]
    public async Task The_parent_stops_a_crashed_transfer_which_still_answers()
    {
        var transfers = Sys.ActorOf(FileTransfersActor.Props(_journal));

        transfers.Tell(Upload(null!, Path.Combine(_dir, "never.txt")));

        var result = await ExpectMsgAsync<UploadResult>();
        Assert.Equal(FailureKind.Internal, result.Failure?.Kind);
        await AwaitAssertAsync(async () =>
            Assert.Null((await Sys.ActorSelection(transfers.Path / "upload-1").Ask<ActorIdentity>(new Identify(null))).Subject));
    }

    [Fact]
    public async Task A_download_opens_the_file_for_the_caller_and_stops()
    {
        var file = Path.Combine(_dir, "read.txt");
        await File.WriteAllTextAsync(file, "readable");
        var transfer = WatchedTransfer();

        transfer.Tell(new OpenDownload(2, Root, null, file));

        var result = await ExpectMsgAsync<DownloadResult>();
        await using (var content = result.File!.Content)
        {
            Assert.Equal("readable", await new StreamReader(content).ReadToEndAsync());
        }

        Assert.Equal(8, result.File.Length);
        await ExpectTerminatedAsync(transfer);
    }

    [Fact]
    public async Task A_download_of_a_missing_file_is_not_found()
    {
        Sys.ActorOf(FileTransferActor.Props(_journal, Sys.Materializer())).Tell(new OpenDownload(3, Root, null, Path.Combine(_dir, "missing")));

        var result = await ExpectMsgAsync<DownloadResult>();
        Assert.Equal(FailureKind.NotFound, result.Failure?.Kind);
    }

    [Fact]
    public async Task Compose_joins_the_sources_and_deletes_them()
    {
        var a = Path.Combine(_dir, "a");
        var b = Path.Combine(_dir, "b");
        await File.WriteAllTextAsync(a, "left+");
        await File.WriteAllTextAsync(b, "right");
        var destination = Path.Combine(_dir, "joined");
        var transfer = WatchedTransfer();

        transfer.Tell(new ComposeFiles(4, Root, null, [a, b], destination));

        var result = await ExpectMsgAsync<ComposeResult>();
        Assert.Equal(destination, result.File?.Path);
        Assert.Equal("left+right", await File.ReadAllTextAsync(destination));
        Assert.False(File.Exists(a) || File.Exists(b));
        await ExpectTerminatedAsync(transfer);
    }

    private sealed class PartsBody(params (string FileName, Stream Content)[] parts) : IUploadBody
    {
        private int _next;

        public ValueTask<UploadPart?> NextPartAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(_next < parts.Length ? new UploadPart(parts[_next].FileName, parts[_next++].Content) : null);
    }

    /// <summary>Yields some bytes and then fails, like a connection reset mid-body.</summary>
    private sealed class FailingStream(int before) : MemoryStream(new byte[before])
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            return read > 0 ? read : throw new IOException("connection reset by peer");
        }
    }

    /// <summary>Yields some bytes and then waits for more that never come, until cancelled.</summary>
    /// <summary>
    /// A body that stops arriving after <paramref name="before"/> bytes. Like Kestrel's, a read that waits for more ends
    /// only when the request does (<paramref name="requestAborted"/>), whatever token the reader passes.
    /// </summary>
    private sealed class StallingStream(int before, CancellationToken requestAborted) : MemoryStream(new byte[before])
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            if (read > 0)
            {
                return read;
            }

            await Task.Delay(Timeout.Infinite, requestAborted);
            return 0;
        }
    }
}
