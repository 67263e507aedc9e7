using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Drex.Browser.Tests.Infrastructure;
using static Drex.Browser.Tests.Infrastructure.BrowserPage;

namespace Drex.Browser.Tests;

/// <summary>
/// The demo page in headless Chromium against the real gateway and a real silo: a person picks a user, reads the
/// explained recommendations and profiles, posts a rating with a review and sees the page refresh.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DemoPageTests(BrowserFixture fixture)
{
    private const string Review = "Lovely guitar strings, a smooth tremolo and a crisp cymbal.";

    /// <summary>What the page shows, read from the DOM as a person would read it.</summary>
    private const string ReadPage = """
        (() => {
          const text = s => document.querySelector(s)?.textContent.trim() ?? null;
          const visible = s => { const n = document.querySelector(s); return !!n && !n.hidden && n.getClientRects().length > 0; };
          return {
            modelVersion: text('#model-version'),
            userMae: text('#user-mae'),
            interactions: text('#user-interactions'),
            syntheticNote: visible('#synthetic-note'),
            keyPanel: visible('#key-panel'),
            alert: visible('#alert') ? text('#alert') : null,
            postStatus: text('#post-status'),
            profileWords: [...document.querySelectorAll('#user-keywords .bar')].map(b => b.dataset.word),
            newWords: [...document.querySelectorAll('#user-keywords .bar.new')].map(b => b.dataset.word),
            itemTitle: visible('#item-card') ? text('#item-name') : null,
            itemPrediction: text('#item-prediction'),
            itemWords: [...document.querySelectorAll('#item-keywords .bar')].map(b => b.dataset.word),
            recommendations: [...document.querySelectorAll('#recommendations > li')].map(li => ({
              item: li.dataset.item,
              rating: Number(li.querySelector('.prediction-value').textContent),
              words: [...li.querySelectorAll('.explanation .bar')].map(b => b.dataset.word),
              barWidths: [...li.querySelectorAll('.explanation .fill')].map(f => f.getBoundingClientRect().width),
            })),
          };
        })()
        """;

    private const string RecommendationsShown =
        "document.querySelector('#recommendations-card').getAttribute('aria-busy') === 'false' " +
        "&& document.querySelector('#profile-card').getAttribute('aria-busy') === 'false' " +
        "&& document.querySelectorAll('#recommendations > li').length > 0";

    [Fact]
    public async Task A_person_picks_a_user_rates_and_reviews_an_item_and_sees_profile_and_recommendations_refresh()
    {
        await using var page = await fixture.NewPageAsync();
        var user = $"demo-browser-{Guid.NewGuid():N}"[..24];

        await page.NavigateAsync(fixture.Gateway.Address.ToString());
        await page.WaitForAsync(
            $"document.body.dataset.ready === 'true' && document.querySelector('#model-version').textContent === {Js(BrowserFixture.ModelVersion)}",
            "the page to start and show the model version");

        await page.TypeAsync("#user-id", user);
        await page.ClickAsync("#user-show");
        await page.WaitForAsync(RecommendationsShown + " && document.querySelector('#user-state').textContent.includes('new user')",
            "cold-start recommendations for a new user");
        var before = await page.EvaluateAsync<PageView>(ReadPage);
        Assert.True(before.SyntheticNote, "A demo- user id must be labelled as synthetic data.");
        Assert.False(before.KeyPanel, "In Development the page uses the development keys and asks for none.");
        Assert.Null(before.Alert);
        Assert.Empty(before.ProfileWords);
        Assert.Equal(Math.Min(10, BrowserFixture.Catalog.Length), before.Recommendations.Length);

        // Select a guitar item from the list: its own profile shows, and the form takes its id.
        var chosen = before.Recommendations.First(r => r.Item is "catalog-1" or "catalog-2" or "catalog-3").Item;
        await page.ClickAsync($"#recommendations li[data-item={Js(chosen)}] .item-button");
        await page.WaitForAsync(
            $"document.querySelector('#item-card').getAttribute('aria-busy') === 'false' && document.querySelector('#item-name').textContent === {Js(chosen)} " +
            "&& document.querySelectorAll('#item-keywords .bar').length > 0",
            "the chosen item's keyword profile");
        var selected = await page.EvaluateAsync<PageView>(ReadPage);
        Assert.Contains("guitar", selected.ItemWords);
        Assert.StartsWith($"Predicted rating for {user} now: ", selected.ItemPrediction);
        Assert.Equal(chosen, await page.EvaluateAsync<string>("document.querySelector('#post-item').value"));

        // Rate it 5 and review it through the form.
        await page.ClickAsync("#rating-options input[value='5']");
        await page.TypeAsync("#post-review", Review);
        await page.ClickAsync("#post-submit");
        await page.WaitForAsync(
            "document.querySelector('#post-status').textContent.startsWith('Posted') " +
            "&& [...document.querySelectorAll('#user-keywords .bar')].some(b => b.dataset.word === 'tremolo') " +
            $"&& !document.querySelector('#recommendations > li[data-item={Js(chosen)}]') && " + RecommendationsShown,
            "the profile and the recommendations to refresh after posting");

        var after = await page.EvaluateAsync<PageView>(ReadPage);
        Assert.Equal(BrowserFixture.ModelVersion, after.ModelVersion);
        Assert.Equal("1", after.Interactions);
        Assert.True(double.TryParse(after.UserMae, System.Globalization.CultureInfo.InvariantCulture, out var mae) && mae >= 0,
            $"The live MAE shows a number once the user has a rating; it shows '{after.UserMae}'.");
        Assert.Null(after.Alert);
        Assert.StartsWith($"Posted 5 ★ and a review for {chosen}.", after.PostStatus);

        // The profile is made of the review's words, all new.
        Assert.Contains("tremolo", after.ProfileWords);
        Assert.Contains("guitar", after.ProfileWords);
        Assert.Equal(after.ProfileWords.Order(), after.NewWords.Order());

        // The rated item leaves the list; the rest are explained by the words the user now shares with them.
        Assert.DoesNotContain(after.Recommendations, r => r.Item == chosen);
        var explained = after.Recommendations.Where(r => r.Words.Length > 0).ToArray();
        Assert.NotEmpty(explained);
        Assert.Contains(explained, r => r.Words.Intersect(["guitar", "strings", "tremolo", "smooth", "cymbal", "crisp"]).Any());
        Assert.All(explained, r => Assert.All(r.Words, w => Assert.Contains(w, after.ProfileWords)));
        Assert.All(explained, r => Assert.All(r.BarWidths, width => Assert.True(width > 0, "Every explanation word has a visible bar.")));
        Assert.All(after.Recommendations, r => Assert.InRange(r.Rating, 1, 5));

        // The posted item's card now shows its refreshed profile, the review's words among them.
        Assert.Equal(chosen, after.ItemTitle);
        Assert.Contains("tremolo", after.ItemWords);

        var screenshot = await page.ScreenshotAsync(BrowserFixture.ScreenshotPath("demo-page-after-post.png"));
        Assert.True(new FileInfo(screenshot).Length > 10_000, "The screenshot is a real picture of the page.");
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task A_post_without_rating_or_review_shows_the_gateway_problem_details_next_to_the_form()
    {
        await using var page = await fixture.NewPageAsync();
        var user = $"browser-{Guid.NewGuid():N}"[..20];

        await page.NavigateAsync(new Uri(fixture.Gateway.Address, $"?user={user}").ToString());
        await page.WaitForAsync(RecommendationsShown, "the user from the address to load");
        Assert.Equal(user, await page.EvaluateAsync<string>("document.querySelector('#user-id').value"));
        Assert.False((await page.EvaluateAsync<PageView>(ReadPage)).SyntheticNote, "Only demo- ids are labelled synthetic.");

        await page.TypeAsync("#post-item", "catalog-4");
        await page.ClickAsync("#post-submit");
        await page.WaitForAsync("!document.querySelector('#post-error').hidden", "the error message");

        var error = await page.TextAsync("#post-error");
        Assert.Contains("Not posted: The interaction is not valid.", error);
        Assert.Contains("HTTP 400", error);
        Assert.Equal("A rating, a review, or both are required.", await page.TextAsync("#post-rating-error"));
        Assert.Equal("true", await page.EvaluateAsync<string>("document.querySelector('#rating-options').closest('fieldset').getAttribute('aria-invalid')"));
        Assert.Equal("0", await page.TextAsync("#user-interactions"));

        await page.ScreenshotAsync(BrowserFixture.ScreenshotPath("demo-page-problem.png"));
        await page.EmulateMediaFeatureAsync("prefers-color-scheme", "dark");
        await page.ScreenshotAsync(BrowserFixture.ScreenshotPath("demo-page-problem-dark.png"));

        // On a phone-sized screen the columns stack and nothing overflows sideways.
        await page.SetViewportAsync(390, 844, mobile: true);
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"),
            "The page must not scroll sideways on a narrow screen.");
        await page.ScreenshotAsync(BrowserFixture.ScreenshotPath("demo-page-problem-narrow.png"));
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task A_user_whose_id_holds_a_slash_is_shown_with_what_it_rated()
    {
        var user = $"shop/{Guid.NewGuid():N}"[..20];
        using (var ingest = fixture.Gateway.Client("dev-ingest"))
        {
            using var posted = await ingest.PostAsJsonAsync("api/interactions", new { userId = user, itemId = "catalog-1", rating = 4, review = Review });
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }

        await using var page = await fixture.NewPageAsync();
        await page.NavigateAsync(new Uri(fixture.Gateway.Address, $"?user={Uri.EscapeDataString(user)}").ToString());
        await page.WaitForAsync(RecommendationsShown + " && document.querySelector('#user-interactions').textContent === '1'",
            "the user from the address to load with its interaction");

        var view = await page.EvaluateAsync<PageView>(ReadPage);
        Assert.Equal(user, await page.EvaluateAsync<string>("document.querySelector('#user-id').value"));
        Assert.Null(view.Alert);
        Assert.Contains("guitar", view.ProfileWords);
        Assert.DoesNotContain(view.Recommendations, r => r.Item == "catalog-1");
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task With_configured_keys_the_page_asks_for_one_explains_a_refusal_and_uses_the_pasted_key()
    {
        await using var gateway = KestrelGateway.Start(fixture.Silo, new Dictionary<string, string>
        {
            ["Drex:Gateway:ApiKeys:0:Key"] = "browser-secret",
            ["Drex:Gateway:ApiKeys:0:Name"] = "browser",
            ["Drex:Gateway:ApiKeys:0:Roles:0"] = "read",
            ["Drex:Gateway:ApiKeys:0:Roles:1"] = "ingest",
        });
        await using var page = await fixture.NewPageAsync();

        await page.NavigateAsync(gateway.Address.ToString());
        await page.WaitForAsync("document.body.dataset.ready === 'true'", "the page to start");
        var start = await page.EvaluateAsync<PageView>(ReadPage);
        Assert.True(start.KeyPanel, "Without development keys the page asks for a key.");

        await page.TypeAsync("#user-id", "demo-user-1-g1");
        await page.ClickAsync("#user-show");
        await page.WaitForAsync("!document.querySelector('#alert').hidden && document.querySelector('#alert').textContent.includes('401')",
            "the refusal without a key");
        var refused = await page.TextAsync("#alert");
        Assert.Contains("paste a key", refused);

        await page.TypeAsync("#api-key", "browser-secret");
        await page.ClickAsync("#key-form button[type='submit']");
        await page.WaitForAsync(
            $"document.querySelector('#alert').hidden && {RecommendationsShown} && document.querySelector('#model-version').textContent === {Js(BrowserFixture.ModelVersion)}",
            "the page to load with the pasted key");
        Assert.Equal("browser-secret", await page.EvaluateAsync<string>("sessionStorage.getItem('drex.apiKey')"));
        Assert.Equal("", await page.EvaluateAsync<string>("document.querySelector('#api-key').value"));
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task The_page_and_its_settings_load_without_a_key_while_the_API_still_needs_one()
    {
        using var anonymous = fixture.Gateway.Client(apiKey: null);

        using var page = await anonymous.GetAsync("");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script type=\"module\" src=\"js/app.js\"></script>", html);
        Assert.DoesNotContain("://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal)); // nothing from a CDN

        foreach (var asset in new[] { "js/app.js", "js/api.js", "js/render.js", "css/app.css", "favicon.svg" })
        {
            using var response = await anonymous.GetAsync(asset);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {(int)response.StatusCode}");
            Assert.True(response.Headers.CacheControl?.NoCache, $"{asset} is revalidated, so a new gateway never serves an old script.");
        }

        var settings = await anonymous.GetFromJsonAsync<JsonElement>("ui/config");
        Assert.Equal("dev-read", settings.GetProperty("developmentKeys").GetProperty("read").GetString());
        Assert.Equal("dev-ingest", settings.GetProperty("developmentKeys").GetProperty("ingest").GetString());
        Assert.Equal(1, settings.GetProperty("ratingMin").GetDouble());
        Assert.Equal(5, settings.GetProperty("ratingMax").GetDouble());

        using var api = await anonymous.GetAsync("api/model");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    private sealed record PageView(
        string? ModelVersion,
        string? UserMae,
        string? Interactions,
        bool SyntheticNote,
        bool KeyPanel,
        string? Alert,
        string? PostStatus,
        string[] ProfileWords,
        string[] NewWords,
        string? ItemTitle,
        string? ItemPrediction,
        string[] ItemWords,
        RecommendationView[] Recommendations);

    private sealed record RecommendationView(string Item, double Rating, string[] Words, double[] BarWidths);
}
