import { useEffect, useRef } from "react";
import { useNavigate, useParams } from "react-router";

import { noteJob } from "../live/jobEvents";
import { JobDetail } from "./reports/JobDetail";
import { JobsTable } from "./reports/JobsTable";
import { RequestForm } from "./reports/RequestForm";

export function Reports() {
  const { id } = useParams();
  const navigate = useNavigate();

  // Closing the details (or going back from them) takes the panel, and the focus in it,
  // away: focus goes to the jobs table's heading instead of the page's body.
  const hadDetails = useRef(Boolean(id));
  useEffect(() => {
    const closed = hadDetails.current && !id;
    hadDetails.current = Boolean(id);
    if (!closed) return;
    const focused = document.activeElement;
    if (focused && focused !== document.body) return;
    const heading = document.getElementById("jobs-heading");
    if (!heading) return;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus();
  }, [id]);

  return (
    <>
      <h1>Reports</h1>
      {id ? <JobDetail id={id} onClose={() => navigate("/reports")} /> : null}
      <RequestForm onRequested={noteJob} />
      <JobsTable onOpen={(jobId) => navigate(`/reports/${jobId}`)} />
    </>
  );
}
