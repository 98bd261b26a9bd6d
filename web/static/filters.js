// The one script: the filter form applies a ticked or unticked source at once, and every search form leaves
// empty fields out of the URL (no "since=&until="). Without it the forms work the same, one click later.
"use strict";
(function () {
  function dropEmptyFields(form) {
    for (const field of form.querySelectorAll("input[name], select[name]")) {
      if (field.value.trim() === "" && field.type !== "checkbox") {
        field.disabled = true;  // a disabled field is not submitted
      }
    }
  }
  for (const form of document.querySelectorAll('form[method="get"]')) {
    form.addEventListener("submit", function () { dropEmptyFields(form); });
  }
  const filters = document.querySelector("form.filters");
  if (filters) {
    filters.addEventListener("change", function (event) {
      if (event.target.type === "checkbox") {
        dropEmptyFields(filters);
        filters.submit();  // submit() fires no submit event, hence the call above
      }
    });
  }
  // back on a page left this way, the browser may restore the fields as they were disabled: enable them again
  window.addEventListener("pageshow", function () {
    for (const field of document.querySelectorAll("form [disabled]")) { field.disabled = false; }
  });
})();
