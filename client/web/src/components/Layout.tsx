import { useQuery } from "@apollo/client/react";
import type { ReactNode } from "react";
import { NavLink } from "react-router";

import { useJobEvents } from "../live/jobEvents";
import { ME } from "../operations";
import { ConnectionBanner } from "./ConnectionBanner";

const SECTIONS = [
  ["/reports", "Reports"],
  ["/orders", "Orders"],
  ["/products", "Products"],
  ["/schedules", "Schedules"],
  ["/dashboard", "Dashboard"],
] as const;

interface LayoutProps {
  onSignOut: () => void;
  children: ReactNode;
}

/** The signed-in frame: navigation, the connection banner, and the live job events. */
export function Layout({ onSignOut, children }: LayoutProps) {
  useJobEvents();
  const { data } = useQuery(ME);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Reports</span>
        <nav aria-label="Main">
          <ul>
            {SECTIONS.map(([path, label]) => (
              <li key={path}>
                <NavLink to={path}>{label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          {data ? <span className="who">{data.me.email}</span> : null}
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <ConnectionBanner />
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
