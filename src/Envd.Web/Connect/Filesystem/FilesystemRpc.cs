using Akka.Hosting;
using Envd.Actors.Init;
using Envd.Actors.Watchers;
using Envd.Contracts.Filesystem;
using Envd.Linux.Files;
using Envd.Linux.Native;
using Envd.Linux.Paths;
using Envd.Linux.Users;

namespace Envd.Web.Connect.Filesystem;

/// <summary>
/// The <c>filesystem.Filesystem</c> service. Envd runs as root: the calling user only decides how relative paths
/// resolve and who owns the directories it creates.
/// </summary>
public sealed partial class FilesystemRpc(InitSnapshot init, FileEntries entries, IRequiredActor<WatchersActor> watchers)
{
    public const string Service = "filesystem.Filesystem";

    public Task<StatResponse> Stat(StatRequest request, ConnectCallContext context)
    {
        var path = Resolve(request.Path, context.RequireUser());
        var entry = ReadEntry(path) ?? throw new ConnectException(ConnectCode.NotFound, $"file not found: lstat {path}: no such file or directory");
        return Task.FromResult(new StatResponse { Entry = entry });
    }

    public Task<MakeDirResponse> MakeDir(MakeDirRequest request, ConnectCallContext context)
    {
        var user = context.RequireUser();
        var path = Resolve(request.Path, user);
        if (FileStatus.TryStat(path) is { } existing)
        {
            throw existing.IsDirectory
                ? new ConnectException(ConnectCode.AlreadyExists, $"directory already exists: {path}")
                : new ConnectException(ConnectCode.InvalidArgument, $"path already exists but it is not a directory: {path}");
        }

        try
        {
            Directories.Ensure(path, user.Uid, user.Gid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConnectException(ConnectCode.Internal, $"error creating directory: {e.Message}");
        }

        return Task.FromResult(new MakeDirResponse { Entry = RequireEntry(path) });
    }

    public Task<MoveResponse> Move(MoveRequest request, ConnectCallContext context)
    {
        var user = context.RequireUser();
        var source = Resolve(request.Source, user);
        var destination = Resolve(request.Destination, user);
        try
        {
            Directories.Ensure(Path.GetDirectoryName(destination) ?? "/", user.Uid, user.Gid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConnectException(ConnectCode.Internal, $"error creating destination directory: {e.Message}");
        }

        try
        {
            FileTree.Move(source, destination);
        }
        catch (NativeErrorException e) when (e.IsNotFound)
        {
            throw new ConnectException(ConnectCode.NotFound, $"source file not found: {e.Message}");
        }
        catch (NativeErrorException e)
        {
            throw new ConnectException(ConnectCode.Internal, $"error renaming: {e.Message}");
        }

        return Task.FromResult(new MoveResponse { Entry = RequireEntry(destination) });
    }

    public Task<ListDirResponse> ListDir(ListDirRequest request, ConnectCallContext context)
    {
        var depth = request.Depth == 0 ? 1 : (int)Math.Min(request.Depth, int.MaxValue);
        var path = Resolve(request.Path, context.RequireUser());
        var directory = ResolveDirectory(path);
        List<FileEntry> found;
        try
        {
            found = DirectoryListing.List(entries, directory, path, depth);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConnectException(ConnectCode.Internal, $"error reading directory {path}: {e.Message}");
        }

        var response = new ListDirResponse();
        response.Entries.AddRange(found.Select(f => f.ToMessage()));
        return Task.FromResult(response);
    }

    public Task<RemoveResponse> Remove(RemoveRequest request, ConnectCallContext context)
    {
        var path = Resolve(request.Path, context.RequireUser());
        try
        {
            FileTree.RemoveAll(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConnectException(ConnectCode.Internal, $"error removing file or directory: {e.Message}");
        }

        return Task.FromResult(new RemoveResponse());
    }

    /// <summary>The client's path as an absolute one for this user (upstream's ExpandAndResolve).</summary>
    private string Resolve(string path, UserAccount user)
    {
        var resolution = PathResolver.Resolve(path, user.Home, init.Current.DefaultWorkdir);
        return resolution.IsOk ? resolution.Path : throw new ConnectException(ConnectCode.InvalidArgument, $"invalid path '{path}': {resolution.Error}");
    }

    /// <summary>The requested directory with its own symlinks resolved, as ListDir walks it.</summary>
    private static string ResolveDirectory(string path)
    {
        switch (RealPath.Resolve(path, out var resolved))
        {
            case RealPathOutcome.NotFound:
                throw new ConnectException(ConnectCode.NotFound, $"path not found: {path}");
            case RealPathOutcome.Loop:
                throw new ConnectException(ConnectCode.FailedPrecondition, $"cyclic symlink or chain >255 links at \"{path}\"");
            case RealPathOutcome.NotDirectory:
                throw new ConnectException(ConnectCode.InvalidArgument, $"path is not a directory: {path}");
            case RealPathOutcome.Failed:
                throw new ConnectException(ConnectCode.Internal, $"error resolving path {path}: {resolved}");
        }

        return FileStatus.TryStat(resolved) switch
        {
            null => throw new ConnectException(ConnectCode.NotFound, $"path not found: {path}"),
            { IsDirectory: false } => throw new ConnectException(ConnectCode.InvalidArgument, $"path is not a directory: {path}"),
            _ => resolved,
        };
    }

    private EntryInfo? ReadEntry(string path)
    {
        try
        {
            return entries.Read(path)?.ToMessage();
        }
        catch (NativeErrorException e)
        {
            throw new ConnectException(ConnectCode.Internal, $"error getting file info: {e.Message}");
        }
    }

    private EntryInfo RequireEntry(string path) =>
        ReadEntry(path) ?? throw new ConnectException(ConnectCode.NotFound, $"file not found: lstat {path}: no such file or directory");
}
