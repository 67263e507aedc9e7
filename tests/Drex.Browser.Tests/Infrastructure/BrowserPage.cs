using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drex.Browser.Tests.Infrastructure;

/// <summary>
/// One browser tab driven like a person would: real mouse clicks at an element's centre (after checking nothing covers
/// it), typed text, and waits on what the page shows. Waits never sleep: each evaluates a page-side promise that a
/// MutationObserver resolves as soon as the condition holds, in bounded slices up to a deadline.
/// </summary>
public sealed class BrowserPage : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(5);

    private readonly CdpConnection _connection;
    private readonly string _targetId;
    private readonly string _sessionId;
    private readonly ConcurrentQueue<string> _errors = new();
    private TaskCompletionSource? _loaded;

    internal BrowserPage(CdpConnection connection, string targetId, string sessionId)
    {
        _connection = connection;
        _targetId = targetId;
        _sessionId = sessionId;
        _connection.Event += OnEvent;
    }

    /// <summary>Uncaught exceptions, console errors and browser errors other than failed requests (CSP violations included).</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    internal async Task EnableAsync()
    {
        await SendAsync("Page.enable");
        await SendAsync("Runtime.enable");
        await SendAsync("Log.enable");
        await SetViewportAsync(1280, 900);
    }

    /// <summary>Resizes the viewport (CSS pixels); <paramref name="mobile"/> emulates a phone's viewport rules.</summary>
    public Task SetViewportAsync(int width, int height, bool mobile = false) => SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject
    {
        ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = mobile,
    });

    /// <summary>Opens <paramref name="url"/> and waits for its load event.</summary>
    public async Task NavigateAsync(string url)
    {
        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loaded = loaded;
        var result = await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
        if (result.TryGetProperty("errorText", out var error) && error.GetString() is { Length: > 0 } text)
        {
            throw new InvalidOperationException($"Navigating to {url} failed: {text}");
        }

        await loaded.Task.WaitAsync(DefaultTimeout);
    }

    /// <summary>Evaluates an expression (awaiting it when it is a promise) and returns its JSON value.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression, TimeSpan? timeout = null)
    {
        var answer = await SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression,
            ["awaitPromise"] = true,
            ["returnByValue"] = true,
            ["userGesture"] = true,
        }, timeout);
        if (answer.TryGetProperty("exceptionDetails", out var details))
        {
            var description = details.TryGetProperty("exception", out var exception) && exception.TryGetProperty("description", out var d)
                ? d.GetString()
                : details.GetProperty("text").GetString();
            throw new InvalidOperationException($"The page threw evaluating {expression}: {description}");
        }

        var value = answer.GetProperty("result");
        return value.TryGetProperty("value", out var v) ? v : default;
    }

    public async Task<T> EvaluateAsync<T>(string expression) =>
        (await EvaluateAsync(expression)).Deserialize<T>(JsonSerializerOptions.Web)!;

    /// <summary>
    /// Waits until the JavaScript expression <paramref name="condition"/> is truthy, re-checking on every DOM change;
    /// fails after <paramref name="timeout"/> with <paramref name="what"/> and what the page shows.
    /// </summary>
    public async Task WaitForAsync(string condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var remaining = deadline - DateTimeOffset.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException(
                    $"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds} s waiting for {what} ({condition}).\n" +
                    $"The page shows:\n{await DescribeAsync()}");
            }

            var slice = remaining < Slice ? remaining : Slice;
            try
            {
                var met = await EvaluateAsync(WaitScript(condition, slice), slice + TimeSpan.FromSeconds(10));
                if (met.ValueKind == JsonValueKind.True)
                {
                    return;
                }
            }
            catch (CdpException error) when (error.Message.Contains("context", StringComparison.OrdinalIgnoreCase))
            {
                // The document was replaced (a navigation) while waiting: wait on the new one.
            }
        }
    }

    /// <summary>Clicks the centre of the element <paramref name="selector"/> with the mouse, as a person would.</summary>
    public async Task ClickAsync(string selector)
    {
        var point = await EvaluateAsync($$"""
            (() => {
              const target = document.querySelector({{Js(selector)}});
              if (!target) return { error: 'no element matches' };
              target.scrollIntoView({ block: 'center', inline: 'center' });
              const box = target.getBoundingClientRect();
              if (box.width === 0 || box.height === 0) return { error: 'it is not visible' };
              const x = box.left + box.width / 2, y = box.top + box.height / 2;
              const hit = document.elementFromPoint(x, y);
              if (!hit || !(hit === target || target.contains(hit))) {
                return { error: 'it is covered by ' + (hit ? hit.outerHTML.slice(0, 120) : 'nothing') };
              }
              if (target.disabled) return { error: 'it is disabled' };
              return { x, y };
            })()
            """);
        if (point.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"Cannot click {selector}: {error.GetString()}.\nThe page shows:\n{await DescribeAsync()}");
        }

        var (x, y) = (point.GetProperty("x").GetDouble(), point.GetProperty("y").GetDouble());
        await MouseAsync("mouseMoved", x, y);
        await MouseAsync("mousePressed", x, y);
        await MouseAsync("mouseReleased", x, y);
    }

    /// <summary>Clicks into a text field, selects what it holds and types <paramref name="text"/> over it.</summary>
    public async Task TypeAsync(string selector, string text)
    {
        await ClickAsync(selector);
        var focused = await EvaluateAsync($$"""
            (() => {
              const field = document.querySelector({{Js(selector)}});
              if (document.activeElement !== field) return false;
              field.select();
              return true;
            })()
            """);
        Assert.True(focused.ValueKind == JsonValueKind.True, $"Clicking {selector} did not focus it.");
        await SendAsync("Input.insertText", new JsonObject { ["text"] = text });
    }

    /// <summary>The trimmed text content of the element <paramref name="selector"/> (null when there is none).</summary>
    public async Task<string?> TextAsync(string selector)
    {
        var text = await EvaluateAsync($"document.querySelector({Js(selector)})?.textContent.trim() ?? null");
        return text.ValueKind == JsonValueKind.String ? text.GetString() : null;
    }

    /// <summary>Saves a PNG of the whole page (beyond the viewport), once running animations end; returns its path.</summary>
    public async Task<string> ScreenshotAsync(string path)
    {
        await EvaluateAsync("Promise.all(document.getAnimations().map(a => a.finished.catch(() => null))).then(() => true)");
        var metrics = await SendAsync("Page.getLayoutMetrics");
        var size = metrics.GetProperty("cssContentSize");
        var shot = await SendAsync("Page.captureScreenshot", new JsonObject
        {
            ["format"] = "png",
            ["captureBeyondViewport"] = true,
            ["clip"] = new JsonObject
            {
                ["x"] = 0, ["y"] = 0, ["scale"] = 1,
                ["width"] = Math.Ceiling(size.GetProperty("width").GetDouble()),
                ["height"] = Math.Ceiling(size.GetProperty("height").GetDouble()),
            },
        });
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(shot.GetProperty("data").GetString()!));
        return path;
    }

    /// <summary>Emulates a CSS media feature, e.g. <c>prefers-color-scheme: dark</c>.</summary>
    public Task EmulateMediaFeatureAsync(string name, string value) => SendAsync("Emulation.setEmulatedMedia", new JsonObject
    {
        ["features"] = new JsonArray(new JsonObject { ["name"] = name, ["value"] = value }),
    });

    /// <summary>A string as a JavaScript literal.</summary>
    public static string Js(string value) => JsonSerializer.Serialize(value);

    public async ValueTask DisposeAsync()
    {
        _connection.Event -= OnEvent;
        try
        {
            await _connection.SendAsync("Target.closeTarget", new JsonObject { ["targetId"] = _targetId }, timeout: TimeSpan.FromSeconds(5));
        }
        catch (Exception error) when (error is CdpException or TimeoutException)
        {
            // The browser is going away anyway.
        }
    }

    private Task<JsonElement> SendAsync(string method, JsonObject? parameters = null, TimeSpan? timeout = null) =>
        _connection.SendAsync(method, parameters, _sessionId, timeout);

    private Task MouseAsync(string type, double x, double y) => SendAsync("Input.dispatchMouseEvent", new JsonObject
    {
        ["type"] = type,
        ["x"] = x,
        ["y"] = y,
        ["button"] = type == "mouseMoved" ? "none" : "left",
        ["buttons"] = type == "mousePressed" ? 1 : 0,
        ["clickCount"] = type == "mouseMoved" ? 0 : 1,
    });

    /// <summary>A promise that resolves true as soon as the condition holds (checked on each DOM mutation), or false after the slice.</summary>
    private static string WaitScript(string condition, TimeSpan slice) => $$"""
        new Promise(resolve => {
          const holds = () => { try { return Boolean({{condition}}); } catch { return false; } };
          if (holds()) { resolve(true); return; }
          const observer = new MutationObserver(() => {
            if (holds()) { observer.disconnect(); clearTimeout(timer); resolve(true); }
          });
          observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
          const timer = setTimeout(() => { observer.disconnect(); resolve(holds()); }, {{((int)slice.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}});
        })
        """;

    private async Task<string> DescribeAsync()
    {
        try
        {
            var text = await EvaluateAsync("document.body ? document.body.innerText.slice(0, 3000) : '(no body)'", TimeSpan.FromSeconds(5));
            var errors = Errors.Count == 0 ? "" : "\nPage errors:\n" + string.Join('\n', Errors);
            return text.GetString() + errors;
        }
        catch (Exception error) when (error is CdpException or TimeoutException or InvalidOperationException)
        {
            return $"(could not read the page: {error.Message})";
        }
    }

    private void OnEvent(CdpEvent e)
    {
        if (e.SessionId != _sessionId)
        {
            return;
        }

        switch (e.Method)
        {
            case "Page.loadEventFired":
                _loaded?.TrySetResult();
                break;
            case "Runtime.exceptionThrown":
                var details = e.Params.GetProperty("exceptionDetails");
                _errors.Enqueue("uncaught: " + (details.TryGetProperty("exception", out var exception) && exception.TryGetProperty("description", out var d)
                    ? d.GetString()
                    : details.GetProperty("text").GetString()));
                break;
            case "Runtime.consoleAPICalled" when e.Params.GetProperty("type").GetString() is "error" or "assert":
                _errors.Enqueue("console: " + string.Join(' ', e.Params.GetProperty("args").EnumerateArray()
                    .Select(a => a.TryGetProperty("value", out var v) ? v.ToString() : a.TryGetProperty("description", out var ad) ? ad.GetString() : "?")));
                break;
            case "Log.entryAdded":
                var entry = e.Params.GetProperty("entry");
                // Failed requests (e.g. the 404 for a user with no interactions yet) are the page's business, not errors.
                if (entry.GetProperty("level").GetString() == "error" && entry.GetProperty("source").GetString() != "network")
                {
                    _errors.Enqueue($"{entry.GetProperty("source").GetString()}: {entry.GetProperty("text").GetString()}");
                }

                break;
        }
    }
}
