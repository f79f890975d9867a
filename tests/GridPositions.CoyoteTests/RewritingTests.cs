using Microsoft.Coyote.Rewriting;

namespace GridPositions.CoyoteTests;

public class RewritingTests
{
    [Fact]
    public void TheLibraryAssembly_IsRewritten_OtherwiseEveryScenarioWouldPassBlind() =>
        Assert.True(RewritingEngine.IsAssemblyRewritten(typeof(SuperPositionManager).Assembly), "GridPositions.dll was not rewritten by Coyote");

    [Fact]
    public void TheTestAssembly_IsRewritten() =>
        Assert.True(RewritingEngine.IsAssemblyRewritten(typeof(RewritingTests).Assembly), "the Coyote test assembly was not rewritten");
}
