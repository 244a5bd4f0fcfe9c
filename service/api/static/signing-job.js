// Follows a class being signed (the transcripts page's «Ký cả lớp»): asks the job's status every
// second and shows its sentence («Đang ký 12/45 — Nguyễn Văn An (9A1)…»); when the job ends the
// page is loaded again, and the server writes the results and the new state of each transcript.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.state !== "running") return;
  var message = document.getElementById("job-message");
  var bar = document.getElementById("job-progress");
  var url = "/api/v1/signing-jobs/" + encodeURIComponent(box.dataset.job);
  function tick() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (job) {
        if (!job) { window.setTimeout(tick, 2000); return; }
        message.textContent = job.message;
        if (bar) { bar.max = job.total || 1; bar.value = job.handled; }
        if (job.state === "running") { window.setTimeout(tick, 1000); }
        else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(tick, 2000); });
  }
  window.setTimeout(tick, 1000);
})();
