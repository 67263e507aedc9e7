using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drex.Browser.Tests.Infrastructure;

/// <summary>A Chrome DevTools Protocol error answer.</summary>
public sealed class CdpException(string method, string message) : Exception($"{method}: {message}");

/// <summary>A CDP event: its method, the session it came from (null: the browser) and its parameters.</summary>
public sealed record CdpEvent(string Method, string? SessionId, JsonElement Params);

/// <summary>
/// One websocket to the browser's DevTools endpoint speaking the Chrome DevTools Protocol: commands are matched to their
/// answers by id; pages are driven through flat sessions (<c>sessionId</c> on each message) over this one socket.
/// </summary>
public sealed class CdpConnection : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly ConcurrentDictionary<int, (string Method, TaskCompletionSource<JsonElement> Answer)> _pending = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _receiving;
    private int _nextId;

    private CdpConnection(ClientWebSocket socket)
    {
        _socket = socket;
        _receiving = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Every event, raised on the receive loop (handlers must be quick and must not block).</summary>
    public event Action<CdpEvent>? Event;

    public static async Task<CdpConnection> ConnectAsync(Uri endpoint, CancellationToken cancellation)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await socket.ConnectAsync(endpoint, cancellation);
        return new CdpConnection(socket);
    }

    /// <summary>Sends a command and returns its <c>result</c>; an error answer throws <see cref="CdpException"/>.</summary>
    public async Task<JsonElement> SendAsync(
        string method, JsonObject? parameters = null, string? sessionId = null, TimeSpan? timeout = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = (method, answer);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        if (sessionId is not null)
        {
            message["sessionId"] = sessionId;
        }

        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, _closing.Token);
        }
        finally
        {
            _sendLock.Release();
        }

        try
        {
            return await answer.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No answer to CDP {method} within {(timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds} s.");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.GetMemory(64 * 1024), _closing.Token);
                    buffer.Advance(result.Count);
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                Dispatch(buffer.WrittenSpan);
            }
        }
        catch (Exception error) when (error is OperationCanceledException or WebSocketException)
        {
            // Closing, or the browser went away: every waiting command fails below.
        }

        foreach (var (_, (method, answer)) in _pending)
        {
            answer.TrySetException(new CdpException(method, "the DevTools connection closed before the answer"));
        }
    }

    private void Dispatch(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        if (root.TryGetProperty("id", out var idElement))
        {
            if (_pending.TryGetValue(idElement.GetInt32(), out var pending))
            {
                if (root.TryGetProperty("error", out var error))
                {
                    pending.Answer.TrySetException(new CdpException(pending.Method, error.GetProperty("message").GetString() ?? error.ToString()));
                }
                else
                {
                    pending.Answer.TrySetResult(root.GetProperty("result").Clone());
                }
            }

            return;
        }

        if (root.TryGetProperty("method", out var method))
        {
            var sessionId = root.TryGetProperty("sessionId", out var session) ? session.GetString() : null;
            var parameters = root.TryGetProperty("params", out var p) ? p.Clone() : default;
            Event?.Invoke(new CdpEvent(method.GetString()!, sessionId, parameters));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        try
        {
            await _receiving;
        }
        catch (OperationCanceledException)
        {
        }

        _socket.Abort();
        _socket.Dispose();
        _sendLock.Dispose();
        _closing.Dispose();
    }
}
