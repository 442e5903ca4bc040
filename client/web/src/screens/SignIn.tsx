import { useMutation } from "@apollo/client/react";
import { useState, type FormEvent } from "react";

import { Field } from "../components/Field";
import { FormAlert } from "../components/FormAlert";
import { describeError, leftoverMessage, NO_PROBLEM, type Problem } from "../errors";
import { LOGIN, REGISTER } from "../operations";

interface SignInProps {
  /** Why the person is here again, if the session ended by itself. */
  reason: string;
  onSignedIn: (token: string, newAccount: { email: string } | null) => void;
}

export function SignIn({ reason, onSignedIn }: SignInProps) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<Problem>(NO_PROBLEM);
  const [login, loginState] = useMutation(LOGIN);
  const [register, registerState] = useMutation(REGISTER);
  const busy = loginState.loading || registerState.loading;

  const signIn = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(NO_PROBLEM);
    try {
      const { data } = await login({ variables: { email, password } });
      if (data) onSignedIn(data.login.token, null);
    } catch (error) {
      setProblem(describeError(error));
    }
  };

  const createAccount = async () => {
    setProblem(NO_PROBLEM);
    try {
      const { data } = await register({ variables: { email, password } });
      if (data) onSignedIn(data.register.token, { email: email.trim() });
    } catch (error) {
      setProblem(describeError(error));
    }
  };

  return (
    <main id="main" className="sign-in">
      <h1>Reports</h1>
      <p>Record orders, ask for reports on them and watch each one being built.</p>
      {reason ? (
        <p className="banner" role="status">
          {reason}
        </p>
      ) : null}
      <form onSubmit={(event) => void signIn(event)} noValidate>
        <Field label="Email" error={problem.fields.email}>
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </Field>
        <Field label="Password" error={problem.fields.password}>
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </Field>
        <FormAlert message={leftoverMessage(problem, ["email", "password"])} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Sign in
          </button>
          <button type="button" disabled={busy} onClick={() => void createAccount()}>
            Create account
          </button>
        </div>
        <p className="hint">
          New here? <strong>Create account</strong> signs you in at once and emails you a
          confirmation link. <strong>Sign in</strong> finds your account only once you have opened
          that link and entered this password there.
        </p>
      </form>
    </main>
  );
}
