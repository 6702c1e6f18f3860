// The demo workspace's bin/deploy-service.sh: looks and talks like a team's real deploy script, but
// "deploys" by asking the local emulator's control API for a new revision labelled with HEAD (for a
// Cloud Run function: a new version of the function, whose Cloud Run service gets the revision; for a
// Cloud Run job: a new template, as `gcloud run jobs deploy` makes).
//
// DEMO_DEPLOY_FAULT reproduces the failures the product exists to catch; in each the script still
// reports success and exits 0, as the session-43 deploy did:
//   label-unchanged  the new revision (a job: template) reuses the previous build, so its commit-sha label is unchanged
//   revision-fails   (services) the new revision never becomes ready (its Ready condition carries the reason);
//                    (jobs) the deploy fails, the job's terminal condition carries the reason
//   build-fails      (functions) the build fails, as an --async deploy finds out only later: no new
//                    revision, the function says FAILED, the old revision keeps serving
import type { DemoFunctionName, DemoJobName, DemoServiceName } from './history';

export function deployScript(options: {
  project: string;
  region: string;
  services: readonly DemoServiceName[];
  functions: readonly DemoFunctionName[];
  jobs: readonly DemoJobName[];
  commitLabel: string;
}): string {
  return `#!/usr/bin/env bash
# Builds, pushes and deploys one service (or Cloud Run function, or Cloud Run job) of this repository.
#
# Usage: ./bin/deploy-service.sh NAME
#
# Demo workspace: nothing is built and nothing leaves this machine. The "deploy" creates a revision in
# the local Cloud Run emulator (CLOUD_RUN_DRIFT_EMULATOR, else endpoints.run in cloud-run-drift.json),
# labelled ${options.commitLabel}=<git rev-parse --short HEAD>; a function is deployed through the
# emulator's Cloud Functions API, and its Cloud Run service gets the revision; a job gets a new template.
# DEMO_DEPLOY_FAULT=label-unchanged|revision-fails|build-fails simulates a deploy that lies about succeeding
# (revision-fails for services and jobs, build-fails for functions).
set -euo pipefail

PROJECT="${options.project}"
REGION="${options.region}"
SERVICES=(${options.services.join(' ')})
FUNCTIONS=(${options.functions.join(' ')})
JOBS=(${options.jobs.join(' ')})

usage() {
  echo "Usage: $0 NAME" >&2
  echo "Services: \${SERVICES[*]}" >&2
  echo "Functions: \${FUNCTIONS[*]}" >&2
  echo "Jobs: \${JOBS[*]}" >&2
}

if [[ $# -ne 1 ]]; then
  usage
  exit 2
fi
SERVICE="$1"
KIND=""
for candidate in "\${SERVICES[@]}"; do
  if [[ "$candidate" == "$SERVICE" ]]; then KIND=service; fi
done
for candidate in "\${FUNCTIONS[@]}"; do
  if [[ "$candidate" == "$SERVICE" ]]; then KIND=function; fi
done
for candidate in "\${JOBS[@]}"; do
  if [[ "$candidate" == "$SERVICE" ]]; then KIND=job; fi
done
if [[ -z "$KIND" ]]; then
  echo "error: unknown service '$SERVICE'" >&2
  usage
  exit 2
fi

FAULT="\${DEMO_DEPLOY_FAULT:-}"
case "$KIND/$FAULT" in
  */|*/label-unchanged|service/revision-fails|job/revision-fails|function/build-fails) ;;
  service/build-fails|job/build-fails) echo "error: DEMO_DEPLOY_FAULT=build-fails is for functions; a \${KIND}'s deploy can fail with revision-fails" >&2; exit 2 ;;
  function/revision-fails) echo "error: DEMO_DEPLOY_FAULT=revision-fails is for services; a function's deploy can fail with build-fails" >&2; exit 2 ;;
  *) echo "error: DEMO_DEPLOY_FAULT must be label-unchanged, revision-fails or build-fails, got '$FAULT'" >&2; exit 2 ;;
esac

ROOT="$(cd "$(dirname "\${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

EMULATOR="\${CLOUD_RUN_DRIFT_EMULATOR:-}"
if [[ -z "$EMULATOR" ]]; then
  EMULATOR="$(node -e 'const c = JSON.parse(require("fs").readFileSync("cloud-run-drift.json", "utf8")); process.stdout.write((c.endpoints && c.endpoints.run) || "")')"
fi
if [[ -z "$EMULATOR" ]]; then
  echo "error: no emulator URL: set CLOUD_RUN_DRIFT_EMULATOR or endpoints.run in cloud-run-drift.json" >&2
  exit 1
fi

COMMIT_SHA="$(git rev-parse --short HEAD)"
DEPLOYED_AT="$(date -u +%Y-%m-%dt%H-%M-%Sz)"
IMAGE="\${REGION}-docker.pkg.dev/\${PROJECT}/nba-props/\${SERVICE}:\${COMMIT_SHA}"

if [[ "$KIND" == "function" ]]; then
  echo "==> Deploying function \${SERVICE} (2nd gen, \${PROJECT}, \${REGION}) --async"
  RESULT="$(
    EMULATOR="$EMULATOR" PROJECT="$PROJECT" REGION="$REGION" SERVICE="$SERVICE" COMMIT_SHA="$COMMIT_SHA" \\
    DEPLOYED_AT="$DEPLOYED_AT" FAULT="$FAULT" node -e '
      const env = process.env;
      const request = { project: env.PROJECT, region: env.REGION, function: env.SERVICE };
      if (env.FAULT !== "label-unchanged") request.labels = { "${options.commitLabel}": env.COMMIT_SHA, "deployed-at": env.DEPLOYED_AT };
      if (env.FAULT === "build-fails") {
        request.failBuild = "Build failed with status: FAILURE. pip_install_from_requirements: ERROR: Could not find a version that satisfies the requirement " +
          "numpy==2.4.0 (from -r requirements.txt (line 4))";
      }
      fetch(env.EMULATOR.replace(/\\/+$/, "") + "/control/deploy-function", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(request),
      })
        .then(async (response) => {
          const body = await response.json();
          if (!response.ok) throw new Error((body.error && body.error.message) || ("HTTP " + response.status));
          process.stdout.write(body.name);
        })
        .catch((err) => {
          process.stderr.write("error: deploy request to " + env.EMULATOR + " failed: " + err.message + "\\n");
          process.exit(1);
        });
    '
  )"
  echo "Preparing function...done."
  echo "Deploying function \${RESULT}: operation started (--async; check its state with gcloud functions describe)."
  exit 0
fi

echo "==> Building \${IMAGE}"
echo "Step 1/6 : FROM python:3.11-slim"
echo "Step 2/6 : COPY shared/ shared/"
echo "Step 3/6 : RUN pip install --no-cache-dir -r requirements.txt"
echo "Step 4/6 : COPY . ."
if [[ "$FAULT" == "label-unchanged" ]]; then
  echo " ---> Using cache"
fi
echo "Step 5/6 : ENV PYTHONPATH=/app"
echo "Step 6/6 : CMD exec gunicorn --bind :\\$PORT main:app"
echo "Successfully tagged \${IMAGE}"
echo "==> Pushing \${IMAGE}"
echo "\${COMMIT_SHA}: digest: sha256:$(node -e 'process.stdout.write(require("crypto").createHash("sha256").update(process.argv[1]).digest("hex"))' "\${IMAGE}") size: 2841"
echo "==> Deploying \${SERVICE} to Cloud Run (\${PROJECT}, \${REGION})"

RESULT="$(
  EMULATOR="$EMULATOR" PROJECT="$PROJECT" REGION="$REGION" SERVICE="$SERVICE" KIND="$KIND" IMAGE="$IMAGE" \\
  COMMIT_SHA="$COMMIT_SHA" DEPLOYED_AT="$DEPLOYED_AT" FAULT="$FAULT" node -e '
    const env = process.env;
    const job = env.KIND === "job";
    const request = job ? { project: env.PROJECT, region: env.REGION, job: env.SERVICE } : { project: env.PROJECT, region: env.REGION, service: env.SERVICE };
    if (env.FAULT !== "label-unchanged") {
      // A cached build reuses the previous image and labels: that is what the fault leaves out.
      request.image = env.IMAGE;
      request.labels = { "${options.commitLabel}": env.COMMIT_SHA, "deployed-at": env.DEPLOYED_AT };
    }
    if (env.FAULT === "revision-fails") {
      request.ready = false;
      request.message = job
        ? "Image \\x27" + env.IMAGE + "\\x27 not found."
        : "The user-provided container failed to start and listen on the port defined provided by the PORT=8080 environment variable. " +
          "Logs for this revision might contain more information. Container import failed: ModuleNotFoundError: No module named \\"shared.utils.merge_helpers\\"";
    }
    fetch(env.EMULATOR.replace(/\\/+$/, "") + (job ? "/control/deploy-job" : "/control/deploy"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    })
      .then(async (response) => {
        const body = await response.json();
        if (!response.ok) throw new Error((body.error && body.error.message) || ("HTTP " + response.status));
        process.stdout.write(job ? body.name : body.revision);
      })
      .catch((err) => {
        process.stderr.write("error: deploy request to " + env.EMULATOR + " failed: " + err.message + "\\n");
        process.exit(1);
      });
  '
)"

if [[ "$KIND" == job ]]; then
  echo "Updating job... done"
  echo "Job [\${RESULT}] has successfully been deployed."
  echo
  echo "To execute this job, use:"
  echo "gcloud run jobs execute \${RESULT} --region \${REGION}"
else
  echo "Creating Revision... done"
  echo "Routing traffic... done"
  echo "Service [\${SERVICE}] revision [\${RESULT}] has been deployed and is serving 100 percent of traffic."
fi
`;
}
