package io.kvstore.simulator;

import java.lang.reflect.Method;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/** Makes a failing seeded test say which seed failed and how to replay exactly that run. */
public final class ReplayOnFailure implements InvocationInterceptor {
  @Override
  public void interceptTestTemplateMethod(
      Invocation<Void> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
      throws Throwable {
    try {
      invocation.proceed();
    } catch (Throwable failure) {
      Optional<Long> seed =
          call.getArguments().stream().filter(Long.class::isInstance).map(Long.class::cast).findFirst();
      if (seed.isEmpty()) {
        throw failure;
      }
      throw new AssertionError(
          String.format("failed with seed %d; replay it with:%n  mvn -o -pl simulator test -Dtest=%s#%s -D%s=%d",
              seed.get(), context.getRequiredTestClass().getSimpleName(), call.getExecutable().getName(),
              SimulationSeeds.PROPERTY, seed.get()),
          failure);
    }
  }
}
