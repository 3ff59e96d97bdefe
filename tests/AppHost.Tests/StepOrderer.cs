using Xunit.Abstractions;
using Xunit.Sdk;

namespace AspireMmRag.AppHost.Tests;

/// <summary>The place of a test in its class's sequence (with <see cref="StepOrderer"/>): lower numbers run first.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StepAttribute(int number) : Attribute
{
    public int Number { get; } = number;
}

/// <summary>Runs a class's tests in the order of their <see cref="StepAttribute"/> (tests without one last, by name): for
/// classes that share one running app and whose last step breaks part of it.</summary>
public sealed class StepOrderer : ITestCaseOrderer
{
    public const string TypeName = "AspireMmRag.AppHost.Tests.StepOrderer";
    public const string AssemblyName = "AppHost.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases
            .OrderBy(test => test.TestMethod.Method.GetCustomAttributes(typeof(StepAttribute).AssemblyQualifiedName)
                .Select(step => step.GetConstructorArguments().FirstOrDefault() is int number ? number : int.MaxValue)
                .DefaultIfEmpty(int.MaxValue)
                .First())
            .ThenBy(test => test.TestMethod.Method.Name, StringComparer.Ordinal);
}
