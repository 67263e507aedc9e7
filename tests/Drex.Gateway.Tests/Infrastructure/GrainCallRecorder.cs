using System.Collections.Concurrent;

namespace Drex.Gateway.Tests.Infrastructure;

/// <summary>Records every call the gateway's Orleans client makes to a Drex grain (an observer, not a stand-in).</summary>
public sealed class GrainCallRecorder : IOutgoingGrainCallFilter
{
    private readonly ConcurrentQueue<string> _calls = new();

    public IReadOnlyList<string> Calls => [.. _calls];

    public void Clear() => _calls.Clear();

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        var contract = context.Request.GetInterfaceType();
        if (contract.Namespace == "Drex.Contracts")
        {
            _calls.Enqueue($"{contract.Name}.{context.MethodName}");
        }

        return context.Invoke();
    }
}
