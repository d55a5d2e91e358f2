using Akka.Streams;
using Akka.Streams.Stage;
using Microsoft.Win32.SafeHandles;

namespace Envd.Actors.Files;

/// <summary>
/// Writes chunks at increasing offsets of an open file and releases each one once written; materializes the number of
/// bytes written, or the reason the stream or a write failed. It pulls one chunk at a time, so a slow disk slows the
/// request body instead of piling chunks up in memory.
/// </summary>
public sealed class FileChunkSink(SafeFileHandle file) : GraphStageWithMaterializedValue<SinkShape<FileChunk>, Task<long>>
{
    /// <summary>
    /// Where the sink runs. A source given the same dispatcher is fused with it into one actor: no async boundary and no
    /// buffer of chunks between them, so each upload holds one chunk and reading it waits for the previous write.
    /// </summary>
    public static readonly Attributes Dispatcher = ActorAttributes.CreateDispatcher(ActorAttributes.IODispatcher.Name);

    private readonly Inlet<FileChunk> _in = new("fileChunkSink.in");

    public override SinkShape<FileChunk> Shape => new(_in);

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("fileChunkSink").And(Dispatcher);

    public override ILogicAndMaterializedValue<Task<long>> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var written = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        return new LogicAndMaterializedValue<Task<long>>(new Logic(this, file, written), written.Task);
    }

    private sealed class Logic : InGraphStageLogic
    {
        private readonly Inlet<FileChunk> _in;
        private readonly SafeFileHandle _file;
        private readonly TaskCompletionSource<long> _written;
        private long _offset;

        public Logic(FileChunkSink stage, SafeFileHandle file, TaskCompletionSource<long> written)
            : base(stage.Shape)
        {
            _in = stage._in;
            _file = file;
            _written = written;
            SetHandler(_in, this);
        }

        public override void PreStart() => Pull(_in);

        public override void OnPush()
        {
            var chunk = Grab(_in);
            try
            {
                RandomAccess.Write(_file, chunk.Span, _offset);
                _offset += chunk.Length;
            }
            catch (IOException e)
            {
                _written.TrySetException(new FileWriteException(_offset, e));
                FailStage(e);
                return;
            }
            finally
            {
                chunk.Release();
            }

            Pull(_in);
        }

        public override void OnUpstreamFinish()
        {
            _written.TrySetResult(_offset);
            CompleteStage();
        }

        public override void OnUpstreamFailure(Exception e)
        {
            _written.TrySetException(e);
            FailStage(e);
        }

        public override void PostStop() =>
            _written.TrySetException(new AbruptStageTerminationException(this));
    }
}

/// <summary>Writing to the destination failed (as opposed to reading the content), after <see cref="Offset"/> bytes.</summary>
public sealed class FileWriteException(long offset, IOException inner) : IOException(inner.Message, inner)
{
    public long Offset { get; } = offset;
}
