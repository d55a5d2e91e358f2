namespace Envd.Actors.Init;

/// <summary>
/// The latest <see cref="InitState"/>, published by the InitActor after each change. Request paths read it without
/// a round trip to the actor; only the actor ever writes it.
/// </summary>
public sealed class InitSnapshot(InitState initial)
{
    private InitState _current = initial;

    public InitState Current => Volatile.Read(ref _current);

    internal void Publish(InitState state) => Volatile.Write(ref _current, state);
}
