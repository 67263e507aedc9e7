using Drex.Model.Bundle;

namespace Drex.Model.Runtime;

/// <summary>
/// Applies interactions one at a time to user and item states with a bundle's graphs, exactly as the grains do:
/// the fused feature is computed once and both sides step from their old states. Actors start from the bundle's
/// snapshot, or from the learned initial state when the snapshot does not know them.
/// </summary>
public sealed class Replayer(DrexRuntime runtime)
{
    private readonly Dictionary<string, float[]> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, float[]> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ActorRecord> _snapshotUsers =
        runtime.Bundle.Snapshot.Users.ToDictionary(a => a.Id, StringComparer.Ordinal);
    private readonly Dictionary<string, ActorRecord> _snapshotItems =
        runtime.Bundle.Snapshot.Items.ToDictionary(a => a.Id, StringComparer.Ordinal);

    public IReadOnlyDictionary<string, float[]> Users => _users;

    public IReadOnlyDictionary<string, float[]> Items => _items;

    public float[] UserState(string id) =>
        _users.TryGetValue(id, out var s) ? s : _snapshotUsers.TryGetValue(id, out var a) ? a.State : runtime.Bundle.Snapshot.UserInitial;

    public float[] ItemState(string id) =>
        _items.TryGetValue(id, out var s) ? s : _snapshotItems.TryGetValue(id, out var a) ? a.State : runtime.Bundle.Snapshot.ItemInitial;

    public float UserBias(string id) => _snapshotUsers.TryGetValue(id, out var a) ? a.Bias : 0f;

    public float ItemBias(string id) => _snapshotItems.TryGetValue(id, out var a) ? a.Bias : 0f;

    /// <summary>Predicts from the current states, then updates both; returns the prediction made before the update.</summary>
    public float Apply(string user, string item, InteractionInput input)
    {
        var (p, q) = (UserState(user), ItemState(item));
        var prediction = runtime.Predict(p, UserBias(user), q, ItemBias(item));
        var feature = runtime.Encode(input).Feature;
        _users[user] = runtime.StepUser(feature, p);
        _items[item] = runtime.StepItem(feature, q);
        return prediction;
    }

    /// <summary>Predicts with the served head from the current states without changing them.</summary>
    public float Predict(string user, string item) =>
        runtime.Predict(UserState(user), UserBias(user), ItemState(item), ItemBias(item));
}
