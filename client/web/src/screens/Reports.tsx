import { useNavigate, useParams } from "react-router";

import { noteJob } from "../live/jobEvents";
import { JobDetail } from "./reports/JobDetail";
import { JobsTable } from "./reports/JobsTable";
import { RequestForm } from "./reports/RequestForm";

export function Reports() {
  const { id } = useParams();
  const navigate = useNavigate();
  return (
    <>
      <h1>Reports</h1>
      {id ? <JobDetail id={id} onClose={() => navigate("/reports")} /> : null}
      <RequestForm onRequested={noteJob} />
      <JobsTable onOpen={(jobId) => navigate(`/reports/${jobId}`)} />
    </>
  );
}
