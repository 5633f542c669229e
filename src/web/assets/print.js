/*
 * The printable report's print button (src/web/report.ts), served at /assets/print.<hash>.js:
 * no inline handler, so the Content-Security-Policy needs no 'unsafe-inline'. The button is
 * hidden until this script shows it, so without JavaScript there is no button that does nothing
 * (the browser's own print command still prints the page).
 */
'use strict';
(function () {
  function ready() {
    var button = document.getElementById('print');
    if (!button) return;
    button.addEventListener('click', function () {
      window.print();
    });
    button.hidden = false;
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready);
  else ready();
})();
